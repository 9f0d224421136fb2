using MessagePack;

namespace RoamingHub.Contracts;

/// <summary>Arguments of <c>FetchConversations</c> and <c>FetchPinnedConversations</c>.</summary>
[MessagePackObject]
public sealed record FetchConversationsRequest
{
    /// <summary>Opaque cursor from the previous page; null for the first page.</summary>
    [Key("cursor")] public string? Cursor { get; init; }
    /// <summary>1–50; 20 when omitted.</summary>
    [Key("pageSize")] public int? PageSize { get; init; }
}

/// <summary>One page of a list; <see cref="Cursor"/> is null when there is no more.</summary>
[MessagePackObject]
public sealed record Page<T>
{
    [Key("data")] public IReadOnlyList<T> Data { get; init; } = [];
    [Key("cursor")] public string? Cursor { get; init; }
}

/// <summary>A conversation in a user's list.</summary>
[MessagePackObject]
public sealed record Conversation
{
    [Key("conversationId")] public string ConversationId { get; init; } = "";
    [Key("chatType")] public string ChatType { get; init; } = "";
    /// <summary>The newest message this user can see, or null.</summary>
    [Key("lastMessage")] public Message? LastMessage { get; init; }
    /// <summary>Time of the last activity (message, or creation when there is none), Unix milliseconds.</summary>
    [Key("activityTime")] public long ActivityTime { get; init; }
    [Key("createdTime")] public long CreatedTime { get; init; }
    [Key("isPinned")] public bool IsPinned { get; init; }
    [Key("pinnedTime")] public long? PinnedTime { get; init; }
    [Key("unreadCount")] public int UnreadCount { get; init; }
    [Key("ext")] public string? Ext { get; init; }
    /// <summary>Single chat: the other participant has read every message up to this time; null until they read.</summary>
    [Key("peerReadTimestamp")] public long? PeerReadTimestamp { get; init; }
}

/// <summary>Arguments of <c>PinConversation</c>.</summary>
[MessagePackObject]
public sealed record PinConversationRequest : IConversationRequest
{
    [Key("conversationId")] public string? ConversationId { get; init; }
    [Key("chatType")] public string? ChatType { get; init; }
    [Key("isPinned")] public bool IsPinned { get; init; }
    /// <summary>Client-chosen id: repeating the call with the same id within the idempotency window has one effect and returns the first result.</summary>
    [Key("clientOpId")] public string? ClientOpId { get; init; }
}

/// <summary>Result of <c>PinConversation</c>.</summary>
[MessagePackObject]
public sealed record PinResult
{
    [Key("isPinned")] public bool IsPinned { get; init; }
    [Key("pinnedTime")] public long? PinnedTime { get; init; }
    /// <summary>Sequence number of the event this call produced; null when it changed nothing.</summary>
    [Key("seq")] public long? Seq { get; init; }
    /// <summary>The epoch of the user's stream that <c>seq</c> belongs to; null when <c>seq</c> is.</summary>
    [Key("epoch")] public string? Epoch { get; init; }
}
