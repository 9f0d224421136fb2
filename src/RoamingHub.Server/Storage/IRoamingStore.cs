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

    /// <summary>One page of the user's conversations (by activity) or pins (by pin time), newest first.</summary>
    ValueTask<ConversationPage> FetchConversationsAsync(string userId, ConversationList list, ListCursor? cursor, int pageSize, long now, CancellationToken cancellationToken);

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
internal sealed record ConversationEntry(ConversationRef Conversation, long ActivityTime, long CreatedTime, long? PinnedTime, StoredMessage? LastMessage);

internal sealed record ConversationPage(IReadOnlyList<ConversationEntry> Items, ListCursor? Next);

/// <summary>Which page of history: <see cref="Older"/> walks toward older messages (newest first).</summary>
internal sealed record HistoryQuery(bool Older, string? Cursor, int PageSize);

/// <summary>A page of history; <see cref="Next"/> is the msgId the next page starts after, null at the end.</summary>
internal sealed record HistoryPage(IReadOnlyList<StoredMessage> Items, string? Next);

/// <summary>What a one-way deletion applied; <see cref="Event"/> is null when it changed nothing.</summary>
internal sealed record HideOutcome(long? BeforeTimestamp, IReadOnlyList<string>? MsgIds, MultiDeviceEvent? Event);
