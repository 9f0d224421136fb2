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
}

/// <summary>Client methods the server invokes.</summary>
public static class HubEvents
{
    /// <summary>A message for this user: sent to them, or sent by them from another device.</summary>
    public const string OnMessage = "onMessage";

    /// <summary>A change this user made on another device; carries the per-user <c>seq</c>.</summary>
    public const string OnMultiDeviceEvent = "onMultiDeviceEvent";
}

/// <summary>Chat types, as strings on the wire.</summary>
public static class ChatTypes
{
    /// <summary>One-to-one chat; the conversation id is the other participant's user id.</summary>
    public const string SingleChat = "singleChat";
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
}
