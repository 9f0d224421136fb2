using RoamingHub.Contracts;
using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage;

/// <summary>
/// Where RoamingHub keeps its state. Each method is one use case's whole storage step, atomic where the contract
/// says so, so that the Redis store and the in-memory store can be held to one contract suite.
/// Times are passed in by the caller (from <see cref="TimeProvider"/>), never read by a store.
/// </summary>
internal interface IRoamingStore
{
    /// <summary>
    /// Stores a message once for its conversation and moves the conversation to the top of both participants' lists.
    /// A draft whose <see cref="MessageDraft.ClientMsgId"/> was seen within the idempotency window stores nothing and
    /// returns the first message.
    /// </summary>
    /// <remarks>
    /// With <paramref name="updateConversations"/> false (server-side notices) the message goes into history only
    /// and leaves both lists as they are.
    /// </remarks>
    ValueTask<SendOutcome> SendMessageAsync(MessageDraft draft, long now, bool updateConversations, CancellationToken cancellationToken);

    /// <summary>
    /// A page of a conversation's history as <paramref name="userId"/> sees it: one-way deletions and retention
    /// applied. Throws <c>INVALID_ARGUMENT</c> when the cursor is not a message of this conversation.
    /// </summary>
    ValueTask<HistoryPage> FetchHistoryAsync(string userId, ConversationRef conversation, HistoryQuery query, long now, CancellationToken cancellationToken);

    /// <summary>Moves the user's watermark in the conversation forward to hide messages at or before a time; logs <c>deleteRoaming</c> when it moved.</summary>
    ValueTask<HideOutcome> HideMessagesBeforeAsync(string userId, ConversationRef conversation, long beforeTimestamp, string deviceId, long now, CancellationToken cancellationToken);

    /// <summary>Hides messages from the user by id; unknown and already hidden ids are ignored; logs <c>deleteRoaming</c> when any was hidden.</summary>
    ValueTask<HideOutcome> HideMessagesAsync(string userId, ConversationRef conversation, IReadOnlyList<string> msgIds, string deviceId, long now, CancellationToken cancellationToken);

    /// <summary>
    /// Removes a conversation from the user's list and pins and logs <c>CONVERSATION_DELETED</c>; with
    /// <paramref name="deleteRoam"/> also hides its history up to now. Throws <c>NOT_FOUND</c>.
    /// </summary>
    ValueTask<MultiDeviceEvent> DeleteConversationAsync(string userId, ConversationRef conversation, bool deleteRoam, string deviceId, long now, CancellationToken cancellationToken);

    /// <summary>
    /// Pins or unpins a conversation and, when that changed anything, appends the event in the same atomic step.
    /// Pinning a conversation the user does not have creates it. Throws <c>PIN_LIMIT_EXCEEDED</c>.
    /// </summary>
    ValueTask<PinOutcome> SetPinnedAsync(string userId, ConversationRef conversation, bool pinned, string deviceId, long now, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the user's read point forward (to the last position of <paramref name="readTimestamp"/>), leaving unread
    /// what came after; logs <c>CONVERSATION_READ</c> when it moved. In single chat, also records the read time on
    /// the other participant's side. Throws <c>NOT_FOUND</c> when the user does not have the conversation.
    /// </summary>
    ValueTask<ReadOutcome> MarkReadAsync(string userId, ConversationRef conversation, long readTimestamp, string deviceId, long now, CancellationToken cancellationToken);

    /// <summary>Marks every conversation read up to <paramref name="now"/> and logs <c>ALL_CONVERSATIONS_READ</c>.</summary>
    ValueTask<MarkAllReadOutcome> MarkAllReadAsync(string userId, string deviceId, long now, CancellationToken cancellationToken);

    /// <summary>The user's unread badge, O(1).</summary>
    ValueTask<UnreadSummary> GetUnreadSummaryAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Sets (or, with null, clears) the user's extension field of a conversation; logs <c>CONVERSATION_EXT_UPDATED</c> when it changed. Throws <c>NOT_FOUND</c>.</summary>
    ValueTask<MultiDeviceEvent?> UpdateExtAsync(string userId, ConversationRef conversation, string? ext, string deviceId, long now, CancellationToken cancellationToken);

    /// <summary>Creates a group; throws <c>ALREADY_EXISTS</c>, or <c>INVALID_ARGUMENT</c> beyond the member limit.</summary>
    ValueTask<Group> CreateGroupAsync(string groupId, string owner, IReadOnlyCollection<string> members, long now, CancellationToken cancellationToken);

    /// <summary>The group, or null.</summary>
    ValueTask<Group?> GetGroupAsync(string groupId, CancellationToken cancellationToken);

    /// <summary>Adds members; returns those newly added. Throws <c>NOT_FOUND</c>, or <c>INVALID_ARGUMENT</c> beyond the member limit.</summary>
    ValueTask<IReadOnlyList<string>> AddGroupMembersAsync(string groupId, IReadOnlyCollection<string> users, CancellationToken cancellationToken);

    /// <summary>
    /// Removes a member: they can no longer send or read, the group leaves their list, and they get
    /// <c>REMOVED_FROM_GROUP</c>. Throws <c>NOT_FOUND</c> (group or member) or <c>INVALID_ARGUMENT</c> for the owner.
    /// </summary>
    ValueTask<MultiDeviceEvent?> RemoveGroupMemberAsync(string groupId, string userId, long now, CancellationToken cancellationToken);

    /// <summary>Deletes a group and its history; each former member gets <c>REMOVED_FROM_GROUP</c>. Throws <c>NOT_FOUND</c>.</summary>
    ValueTask<IReadOnlyList<(string UserId, MultiDeviceEvent? Event)>> DeleteGroupAsync(string groupId, long now, CancellationToken cancellationToken);

    /// <summary>The groups the user is a member of.</summary>
    ValueTask<IReadOnlyList<string>> GetGroupsOfUserAsync(string userId, CancellationToken cancellationToken);

    /// <summary>
    /// The user's live connections on every node: those refreshed within <c>PresenceTimeout</c> of
    /// <paramref name="now"/>, so a node that died stops being sent group changes it can never acknowledge.
    /// </summary>
    ValueTask<IReadOnlyList<string>> GetConnectionsAsync(string userId, long now, CancellationToken cancellationToken);

    /// <summary>
    /// Claims an idempotent operation of the user: answers <see cref="OperationClaim.Claimed"/> for the first caller
    /// (who must complete or abandon it within <paramref name="lease"/>), the stored outcome once it completed, or
    /// neither while another caller runs it.
    /// </summary>
    ValueTask<OperationClaim> BeginOperationAsync(string userId, string operationKey, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Stores an operation's outcome for repeats within <paramref name="window"/>.</summary>
    ValueTask CompleteOperationAsync(string userId, string operationKey, byte[] outcome, TimeSpan window, CancellationToken cancellationToken);

    /// <summary>Releases a claim whose operation failed without an outcome worth repeating, so a retry runs it again.</summary>
    ValueTask AbandonOperationAsync(string userId, string operationKey, CancellationToken cancellationToken);

    /// <summary>
    /// One page of the user's conversations (by activity) or pins (by pin time), newest first. A walk's later pages
    /// come from a snapshot the device's first page took; a device keeps one walk at a time.
    /// </summary>
    ValueTask<ConversationPage> FetchConversationsAsync(string userId, string deviceId, ConversationList list, ListCursor? cursor, int pageSize, long now, CancellationToken cancellationToken);

    /// <summary>The sequence number of the user's newest event, 0 when there is none.</summary>
    ValueTask<long> GetLastSeqAsync(string userId, CancellationToken cancellationToken);

    /// <summary>The events after <paramref name="sinceSeq"/>, or <c>resyncRequired</c> when the log no longer holds them.</summary>
    ValueTask<SyncEventsResult> ReadEventsAsync(string userId, long sinceSeq, int limit, CancellationToken cancellationToken);

    /// <summary>Counts a new connection against the user's limit; false when the user is at the limit.</summary>
    ValueTask<bool> TryAddConnectionAsync(string userId, string connectionId, long now, CancellationToken cancellationToken);

    ValueTask RemoveConnectionAsync(string userId, string connectionId, CancellationToken cancellationToken);

    /// <summary>Marks this node's connections as still alive, so they keep counting against their users' limits.</summary>
    ValueTask RefreshConnectionsAsync(IReadOnlyCollection<(string UserId, string ConnectionId)> connections, long now, CancellationToken cancellationToken);

    /// <summary>True while the store answers.</summary>
    ValueTask<bool> IsReadyAsync(CancellationToken cancellationToken);
}

/// <summary>Which list of a user to page through.</summary>
internal enum ConversationList
{
    /// <summary>All conversations, by last activity.</summary>
    Active,

    /// <summary>Pinned conversations, by pin time.</summary>
    Pinned,
}

/// <summary>A message to store; the store assigns its timestamp.</summary>
internal sealed record MessageDraft(string MsgId, string ChatType, string From, string To, string Type, string Body, string? ClientMsgId);

internal sealed record SendOutcome(StoredMessage Message, bool Duplicate);

/// <summary>State after a pin call; <see cref="Event"/> is null when the call changed nothing.</summary>
internal sealed record PinOutcome(bool IsPinned, long? PinnedTime, MultiDeviceEvent? Event);

/// <summary>A conversation entry of a user, before it is shaped for the wire.</summary>
internal sealed record ConversationEntry(
    ConversationRef Conversation, long ActivityTime, long CreatedTime, long? PinnedTime, StoredMessage? LastMessage,
    int UnreadCount = 0, long? PeerReadTimestamp = null, string? Ext = null);

/// <summary>
/// State after a read; <see cref="Event"/> is null when the read point did not move, and
/// <see cref="PeerAdvanced"/> says whether the other participant of a single chat should get <c>onReadAck</c>.
/// </summary>
internal sealed record ReadOutcome(long ReadTimestamp, int UnreadCount, MultiDeviceEvent? Event, bool PeerAdvanced);

/// <summary>How a claim on an idempotent operation went: claimed, already done (with its outcome), or still running elsewhere.</summary>
internal readonly record struct OperationClaim(bool Claimed, byte[]? Outcome);

/// <summary>The event of a mark-all, and the single-chat peers whose view of this user's read time moved.</summary>
internal sealed record MarkAllReadOutcome(MultiDeviceEvent Event, IReadOnlyList<string> PeersAdvanced);

internal sealed record ConversationPage(IReadOnlyList<ConversationEntry> Items, ListCursor? Next);

/// <summary>Which page of history: <see cref="Older"/> walks toward older messages (newest first).</summary>
internal sealed record HistoryQuery(bool Older, string? Cursor, int PageSize);

/// <summary>
/// A page of history, its messages in their stored encoding (they go to the client without being decoded);
/// <see cref="Next"/> is the msgId the next page starts after, null at the end.
/// </summary>
internal sealed record HistoryPage(IReadOnlyList<EncodedMessage> Items, string? Next);

/// <summary>What a one-way deletion applied; <see cref="Event"/> is null when it changed nothing.</summary>
internal sealed record HideOutcome(long? BeforeTimestamp, IReadOnlyList<string>? MsgIds, MultiDeviceEvent? Event);
