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
    ValueTask<SendOutcome> SendMessageAsync(MessageDraft draft, long now, CancellationToken cancellationToken);

    /// <summary>
    /// Pins or unpins a conversation and, when that changed anything, appends the event in the same atomic step.
    /// Pinning a conversation the user does not have creates it. Throws <c>PIN_LIMIT_EXCEEDED</c>.
    /// </summary>
    ValueTask<PinOutcome> SetPinnedAsync(string userId, ConversationRef conversation, bool pinned, string deviceId, long now, CancellationToken cancellationToken);

    /// <summary>One page of the user's conversations (by activity) or pins (by pin time), newest first.</summary>
    ValueTask<ConversationPage> FetchConversationsAsync(string userId, ConversationList list, ListCursor? cursor, int pageSize, CancellationToken cancellationToken);

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
