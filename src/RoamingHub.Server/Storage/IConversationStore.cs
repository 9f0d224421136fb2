using RoamingHub.Contracts;
using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage;

/// <summary>
/// A user's conversation list: paging, pins, read points and unread counts, extension fields and removal.
/// Times are passed in by the caller (from <see cref="TimeProvider"/>), never read by a store.
/// A change given an <c>operationKey</c> (the <see cref="IOperationStore"/> key of a call with a <c>clientOpId</c>) keeps
/// its outcome as that operation's in the same atomic step as the change; called again for an operation that has one,
/// it changes nothing and answers that outcome, its event included, so a retry whose first reply was lost gets the
/// first answer.
/// </summary>
internal interface IConversationStore
{
    /// <summary>
    /// One page of the user's conversations (by activity) or pins (by pin time), newest first. A walk's later pages
    /// come from a snapshot the device's first page took; a device keeps one walk at a time.
    /// </summary>
    ValueTask<ConversationPage> FetchConversationsAsync(string userId, string deviceId, ConversationList list, ListCursor? cursor, int pageSize, long now, CancellationToken cancellationToken);

    /// <summary>
    /// Pins or unpins a conversation and, when that changed anything, appends the event in the same atomic step.
    /// Pinning a conversation the user does not have creates it. A store shared by nodes may publish the event's push
    /// to the other nodes in that step too (<see cref="PinOutcome.Published"/>). Throws <c>PIN_LIMIT_EXCEEDED</c>.
    /// </summary>
    ValueTask<PinOutcome> PinConversationAsync(string userId, ConversationRef conversation, bool pinned, string deviceId, long now, string? operationKey, CancellationToken cancellationToken);

    /// <summary>
    /// Removes a conversation from the user's list and pins and logs <c>CONVERSATION_DELETED</c>; with
    /// <paramref name="deleteRoam"/> also hides its history up to now. Throws <c>NOT_FOUND</c>.
    /// </summary>
    ValueTask<MultiDeviceEvent> DeleteRemoteConversationAsync(string userId, ConversationRef conversation, bool deleteRoam, string deviceId, long now, string? operationKey, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the user's read point forward (to the last position of <paramref name="readTimestamp"/>, but no further
    /// than the chat's newest message), leaving unread what came after; logs <c>CONVERSATION_READ</c> when it moved. In single chat, also records the read time on
    /// the other participant's side. Throws <c>NOT_FOUND</c> when the user does not have the conversation.
    /// </summary>
    ValueTask<ReadOutcome> MarkConversationReadAsync(string userId, ConversationRef conversation, long readTimestamp, string deviceId, long now, string? operationKey, CancellationToken cancellationToken);

    /// <summary>
    /// Marks every conversation that has unread messages when it runs read up to its newest unread message and logs
    /// <c>ALL_CONVERSATIONS_READ</c> (at <paramref name="now"/>), in one atomic step: a message that reached the user before it is read, one that
    /// reaches the user after it stays unread (and comes after the event in the stream).
    /// </summary>
    ValueTask<MarkAllReadOutcome> MarkAllConversationsReadAsync(string userId, string deviceId, long now, string? operationKey, CancellationToken cancellationToken);

    /// <summary>
    /// The user's unread badge at <paramref name="now"/>: O(1), plus the conversations that have settings (muted ones
    /// leave <c>totalUnreadUnmuted</c>, and one marked unread without unread messages counts as one with unread).
    /// </summary>
    ValueTask<UnreadSummary> GetUnreadSummaryAsync(string userId, long now, CancellationToken cancellationToken);

    /// <summary>Sets (or, with null, clears) the user's extension field of a conversation; logs <c>CONVERSATION_EXT_UPDATED</c> when it changed. Throws <c>NOT_FOUND</c>.</summary>
    ValueTask<MultiDeviceEvent?> UpdateConversationExtAsync(string userId, ConversationRef conversation, string? ext, string deviceId, long now, string? operationKey, CancellationToken cancellationToken);
}

/// <summary>Which list of a user to page through.</summary>
internal enum ConversationList
{
    /// <summary>All conversations, by last activity.</summary>
    Active,

    /// <summary>Pinned conversations, by pin time.</summary>
    Pinned,

    /// <summary>The conversations that carry one mark, by last activity (<see cref="IConversationSettingsStore"/>).</summary>
    Marked,
}

/// <summary>A conversation entry of a user, before it is shaped for the wire.</summary>
internal sealed record ConversationEntry(
    ConversationRef Conversation, long ActivityTime, long CreatedTime, long? PinnedTime, StoredMessage? LastMessage,
    int UnreadCount = 0, long? PeerReadTimestamp = null, string? Ext = null, ConversationSettings? Settings = null);

internal sealed record ConversationPage(IReadOnlyList<ConversationEntry> Items, ListCursor? Next);

/// <summary>
/// State after a pin call; <see cref="Event"/> is null when the call changed nothing. <see cref="Published"/>: this call's
/// store step published the event's push to the other nodes. A repeat answered from the first attempt's outcome did
/// not, so its push is published again: the first attempt's node may have failed before it delivered to its own
/// devices, and devices drop a seq they hold already.
/// </summary>
internal sealed record PinOutcome(bool IsPinned, long? PinnedTime, MultiDeviceEvent? Event, bool Published = false);

/// <summary>
/// State after a read; <see cref="Event"/> is null when the read point did not move and no unread mark was cleared (a
/// read that only clears the mark logs the point where it stays), and
/// <see cref="PeerEntry"/> is the <c>PEER_READ</c> entry appended to the other participant's stream of a single chat
/// (null when their view did not move), which they get as <c>onReadAck</c>.
/// </summary>
internal sealed record ReadOutcome(long ReadTimestamp, int UnreadCount, MultiDeviceEvent? Event, StreamEntryRef? PeerEntry);

/// <summary>The event of a mark-all, and the <c>PEER_READ</c> entries of the single-chat peers whose view of this user's read time moved.</summary>
internal sealed record MarkAllReadOutcome(MultiDeviceEvent Event, IReadOnlyDictionary<string, PeerRead> PeerEntries);

/// <summary>A single-chat peer's side of a read: the entry logged in their stream and the time they learnt the reader read up to.</summary>
internal sealed record PeerRead(StreamEntryRef Entry, long ReadTimestamp);
