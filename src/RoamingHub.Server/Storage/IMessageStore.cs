using RoamingHub.Contracts;
using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage;

/// <summary>
/// Messages and their history: a message stored once per chat, history paged as one user sees it, and one-way
/// deletions (messages hidden from one user).
/// Times are passed in by the caller (from <see cref="TimeProvider"/>), never read by a store.
/// A deletion given an <c>operationKey</c> keeps its outcome as that operation's, as <see cref="IConversationStore"/>'s
/// changes do.
/// </summary>
internal interface IMessageStore
{
    /// <summary>
    /// Stores a message once for its conversation, appends it to every participant's stream (once per msgId, so a
    /// repeat appends nothing new) and moves the conversation to the top of both participants' lists.
    /// A draft whose <see cref="MessageDraft.ClientMsgId"/> was seen within the idempotency window stores nothing and
    /// returns the first message.
    /// </summary>
    /// <remarks>
    /// With <paramref name="updateConversations"/> false (server-side notices) the message goes into history only
    /// and the streams, and leaves both lists as they are.
    /// </remarks>
    ValueTask<SendOutcome> SendMessageAsync(MessageDraft draft, long now, bool updateConversations, CancellationToken cancellationToken);

    /// <summary>
    /// A page of a conversation's history as <paramref name="userId"/> sees it: one-way deletions and retention
    /// applied. Throws <c>INVALID_ARGUMENT</c> when the cursor is not a message of this conversation.
    /// </summary>
    ValueTask<HistoryPage> FetchHistoryMessagesAsync(string userId, ConversationRef conversation, HistoryQuery query, long now, CancellationToken cancellationToken);

    /// <summary>
    /// The message stored under <paramref name="msgId"/> in the conversation's chat, one-way deletions not applied;
    /// null once the chat no longer holds it. For answering a repeated send with the message it stored.
    /// </summary>
    ValueTask<StoredMessage?> FindMessageAsync(string userId, ConversationRef conversation, string msgId, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the user's watermark in the conversation forward to hide messages at or before a time, but no further than
    /// the chat's newest message; logs <c>deleteRoaming</c> when it moved.
    /// </summary>
    ValueTask<HideOutcome> DeleteRemoteMessagesBeforeAsync(string userId, ConversationRef conversation, long beforeTimestamp, string deviceId, long now, string? operationKey, CancellationToken cancellationToken);

    /// <summary>
    /// Hides messages from the user by id; unknown and already hidden ids are ignored; logs <c>deleteRoaming</c> when any
    /// was hidden. The user's entry stops showing and counting every id named that is hidden, so a retry of a deletion
    /// that stopped halfway finishes it; a retry that resumes an earlier attempt of its operation (see
    /// <see cref="IOperationStore"/>) logs and answers them all, since that attempt never did.
    /// </summary>
    ValueTask<HideOutcome> DeleteRemoteMessagesWithIdsAsync(string userId, ConversationRef conversation, IReadOnlyList<string> msgIds, string deviceId, long now, string? operationKey, CancellationToken cancellationToken);

    /// <summary>
    /// Recalls a message <paramref name="userId"/> sent, within <c>Roaming:RecallWindow</c> of its time: it leaves the
    /// chat's history for everyone and its body is deleted (so no page, lookup or replay shows it again), and for every
    /// participant (every member of a group) it stops being the last message and counting unread, and a
    /// <c>MESSAGE_RECALLED</c> entry is appended to their stream, once per message. A repeat, at any time (the window
    /// bounds the first recall only), changes nothing, finishes what an attempt that stopped partway left, and answers
    /// the entries the first made (not appended again). Throws <c>NOT_FOUND</c> for a message the chat does not
    /// hold, <c>FORBIDDEN</c> for another sender's message, one past the window, or a group the user is not in.
    /// </summary>
    ValueTask<RecallOutcome> RecallMessageAsync(string userId, ConversationRef conversation, string msgId, string deviceId, long now, CancellationToken cancellationToken);
}

/// <summary>A message to store; the store assigns its timestamp.</summary>
internal sealed record MessageDraft(string MsgId, string ChatType, string From, string To, string Type, string Body, string? ClientMsgId);

/// <summary>
/// The stored message, whether it was a repeat, the users it is for (both participants, or every member), and the
/// message's entry in each of their streams (a repeat answers the entries the first attempt made), and whether the
/// message was recalled since the first attempt (a repeat that then pushes nothing to anyone).
/// </summary>
internal sealed record SendOutcome(StoredMessage Message, bool Duplicate, IReadOnlyList<string> Participants, IReadOnlyDictionary<string, StreamEntryRef> Entries, bool Recalled = false);

/// <summary>Which page of history: <see cref="Older"/> walks toward older messages (newest first).</summary>
internal sealed record HistoryQuery(bool Older, string? Cursor, int PageSize)
{
    /// <summary>
    /// Most entries one history call looks at (hidden ones included) before it hands back a cursor, in every store,
    /// so a page costs the same whatever a user hid.
    /// </summary>
    public const int ScanCap = 1000;
}

/// <summary>
/// A page of history, its messages in their stored encoding (they go to the client without being decoded);
/// <see cref="Next"/> is the msgId the next page starts after, null at the end.
/// </summary>
internal sealed record HistoryPage(IReadOnlyList<EncodedMessage> Items, string? Next);

/// <summary>
/// Each participant's <c>MESSAGE_RECALLED</c> entry (as logged, with seq and epoch), and whether this call appended it
/// (false for a repeat). When some participants' steps failed, the entries of those that succeeded and the first
/// failure, which the caller raises once it has pushed them.
/// </summary>
internal sealed record RecallOutcome(IReadOnlyList<RecallEntry> Entries, Exception? Failure = null);

/// <summary>One participant's entry of a recall.</summary>
internal sealed record RecallEntry(string UserId, MultiDeviceEvent Event, bool Appended);

/// <summary>What a one-way deletion applied; <see cref="Event"/> is null when it changed nothing.</summary>
internal sealed record HideOutcome(long? BeforeTimestamp, IReadOnlyList<string>? MsgIds, MultiDeviceEvent? Event);
