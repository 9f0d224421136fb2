namespace RoamingHub.Contracts;

/// <summary>Routes and names that make up the RoamingHub wire protocol.</summary>
public static class RoamingProtocol
{
    /// <summary>Path of the SignalR hub.</summary>
    public const string HubPath = "/hubs/roaming";

    /// <summary>Query-string parameter that names the device of a connection.</summary>
    public const string DeviceIdQueryParameter = "deviceId";

    /// <summary>Query-string parameter that carries the bearer token on the hub path (WebSockets cannot send headers from browsers).</summary>
    public const string AccessTokenQueryParameter = "access_token";

    /// <summary>Query-string parameter: the last stream seq the device applied; the server replays what follows on connect.</summary>
    public const string SinceSeqQueryParameter = "sinceSeq";

    /// <summary>Query-string parameter: the epoch <see cref="SinceSeqQueryParameter"/> belongs to.</summary>
    public const string EpochQueryParameter = "epoch";

    /// <summary>
    /// Response header holding the error code of a refused HTTP request, the hub's WebSocket and negotiate requests
    /// included (a WebSocket client can read headers where it cannot read the body).
    /// </summary>
    public const string ErrorCodeHeader = "X-RoamingHub-Error";
}

/// <summary>
/// The argument of a method that changes state: repeating the call with the same <see cref="ClientOpId"/> has one
/// effect and returns the first result.
/// </summary>
public interface IIdempotentRequest
{
    /// <summary>A client-chosen id of this operation (1–128 printable ASCII characters), or null.</summary>
    string? ClientOpId { get; }
}

/// <summary>The argument of a method that changes one of the caller's conversations.</summary>
public interface IConversationRequest : IIdempotentRequest
{
    /// <summary>The peer's user id in single chat, the group id in group chat.</summary>
    string? ConversationId { get; }

    /// <summary><c>singleChat</c> or <c>groupChat</c>.</summary>
    string? ChatType { get; }
}

/// <summary>Hub methods a client invokes.</summary>
public static class HubMethods
{
    public const string SendMessage = nameof(SendMessage);
    public const string FetchConversations = nameof(FetchConversations);
    public const string FetchPinnedConversations = nameof(FetchPinnedConversations);
    public const string PinConversation = nameof(PinConversation);
    public const string GetSyncState = nameof(GetSyncState);
    public const string SyncEvents = nameof(SyncEvents);
    public const string FetchHistoryMessages = nameof(FetchHistoryMessages);
    public const string DeleteRemoteMessagesBefore = nameof(DeleteRemoteMessagesBefore);
    public const string DeleteRemoteMessagesWithIds = nameof(DeleteRemoteMessagesWithIds);
    public const string DeleteRemoteConversation = nameof(DeleteRemoteConversation);
    public const string MarkConversationRead = nameof(MarkConversationRead);
    public const string MarkAllConversationsRead = nameof(MarkAllConversationsRead);
    public const string GetUnreadSummary = nameof(GetUnreadSummary);
    public const string UpdateConversationExt = nameof(UpdateConversationExt);
    public const string GetConversation = nameof(GetConversation);
    public const string SetConversationMuted = nameof(SetConversationMuted);
    public const string MarkConversationUnread = nameof(MarkConversationUnread);
    public const string SetConversationMarks = nameof(SetConversationMarks);
    public const string DeleteRemoteConversations = nameof(DeleteRemoteConversations);
    public const string RecallMessage = nameof(RecallMessage);
}

/// <summary>Client methods the server invokes.</summary>
public static class HubEvents
{
    /// <summary>A message for this user: sent to them, or sent by them from another device.</summary>
    public const string OnMessage = "onMessage";

    /// <summary>A change this user made on another device; carries the per-user <c>seq</c>.</summary>
    public const string OnMultiDeviceEvent = "onMultiDeviceEvent";

    /// <summary>In single chat: the other participant read this user's messages up to a time.</summary>
    public const string OnReadAck = "onReadAck";

    /// <summary>
    /// On connect, instead of a replay: the stream no longer reaches back to the device's seq, or its epoch changed.
    /// Carries <see cref="ResyncRequired"/>: refetch the lists, then go on from its <c>lastSeq</c> and <c>epoch</c>.
    /// </summary>
    public const string OnResyncRequired = "onResyncRequired";
}

/// <summary>Chat types, as strings on the wire.</summary>
public static class ChatTypes
{
    /// <summary>One-to-one chat; the conversation id is the other participant's user id.</summary>
    public const string SingleChat = "singleChat";

    /// <summary>Group chat; the conversation id is the group id.</summary>
    public const string GroupChat = "groupChat";
}

/// <summary>Operations of <see cref="MultiDeviceEvent"/>.</summary>
public static class MultiDeviceOperations
{
    public const string ConversationPinned = "CONVERSATION_PINNED";
    public const string ConversationUnpinned = "CONVERSATION_UNPINNED";

    /// <summary>Messages were hidden from this user's history: <c>beforeTimestamp</c> or <c>msgIds</c> says which.</summary>
    public const string DeleteRoaming = "deleteRoaming";

    /// <summary>The conversation left this user's list; with <c>deleteRoam</c> its history up to then is hidden too.</summary>
    public const string ConversationDeleted = "CONVERSATION_DELETED";

    /// <summary>The conversation was read up to <c>readTimestamp</c> on another device.</summary>
    public const string ConversationRead = "CONVERSATION_READ";

    /// <summary>Every conversation was marked read on another device.</summary>
    public const string AllConversationsRead = "ALL_CONVERSATIONS_READ";

    /// <summary>The conversation's extension field changed to <c>ext</c>.</summary>
    public const string ConversationExtUpdated = "CONVERSATION_EXT_UPDATED";

    /// <summary>This user was removed from the group (or the group was deleted): it left the list and its history is closed.</summary>
    public const string RemovedFromGroup = "REMOVED_FROM_GROUP";

    /// <summary>The conversation was muted, until <c>mutedUntil</c> when it is set.</summary>
    public const string ConversationMuted = "CONVERSATION_MUTED";

    /// <summary>The conversation was unmuted.</summary>
    public const string ConversationUnmuted = "CONVERSATION_UNMUTED";

    /// <summary>The conversation was marked unread; <c>CONVERSATION_READ</c> or <c>ALL_CONVERSATIONS_READ</c> clears the mark.</summary>
    public const string ConversationMarkedUnread = "CONVERSATION_MARKED_UNREAD";

    /// <summary>The conversation's marks changed to <c>marks</c>.</summary>
    public const string ConversationMarksUpdated = "CONVERSATION_MARKS_UPDATED";

    /// <summary>In replay: a message this user received or sent from another device, whole in <c>message</c> (null when this user can no longer see it).</summary>
    public const string Message = "MESSAGE";

    /// <summary>In replay: the single-chat peer <c>conversationId</c> read this user's messages up to <c>readTimestamp</c> (what <c>onReadAck</c> pushed).</summary>
    public const string PeerRead = "PEER_READ";

    /// <summary>A message of one of this user's conversations was recalled by its sender: <c>msgId</c> left history everywhere.</summary>
    public const string MessageRecalled = "MESSAGE_RECALLED";
}

/// <summary>Directions of <c>FetchHistoryMessages</c>.</summary>
public static class HistoryDirections
{
    /// <summary>Older messages, newest first (the default).</summary>
    public const string Up = "up";

    /// <summary>Newer messages, oldest first.</summary>
    public const string Down = "down";
}

/// <summary>Stable error codes: every hub error message and REST problem begins with one of these.</summary>
public static class ErrorCodes
{
    public const string InvalidArgument = "INVALID_ARGUMENT";
    public const string NotFound = "NOT_FOUND";
    public const string Forbidden = "FORBIDDEN";
    public const string PinLimitExceeded = "PIN_LIMIT_EXCEEDED";
    public const string ConnectionLimitExceeded = "CONNECTION_LIMIT_EXCEEDED";
    public const string RateLimited = "RATE_LIMITED";
    public const string Unavailable = "UNAVAILABLE";
    public const string Unauthenticated = "UNAUTHENTICATED";
    public const string AlreadyExists = "ALREADY_EXISTS";

    /// <summary>The server failed unexpectedly; the details are in its log, never on the wire.</summary>
    public const string Internal = "INTERNAL";
}
