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
    /// <summary><c>FetchConversations</c> only: just the conversations carrying this mark (0–19), newest activity first.</summary>
    [Key("mark")] public int? Mark { get; init; }
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
    /// <summary>Do not disturb: true while muted, false once <see cref="MutedUntil"/> has passed.</summary>
    [Key("muted")] public bool Muted { get; init; }
    /// <summary>While muted: when the mute ends by itself, Unix ms; null for a mute without an end, or when not muted.</summary>
    [Key("mutedUntil")] public long? MutedUntil { get; init; }
    /// <summary>Marked as unread by the user, until <c>MarkConversationRead</c> or <c>MarkAllConversationsRead</c>.</summary>
    [Key("markedUnread")] public bool MarkedUnread { get; init; }
    /// <summary>The user's marks (labels) on the conversation, 0–19, ascending.</summary>
    [Key("marks")] public IReadOnlyList<int> Marks { get; init; } = [];

    /// <summary>Value equality including the marks, so conversations compare as the values they are.</summary>
    public bool Equals(Conversation? other) =>
        other is not null && ConversationId == other.ConversationId && ChatType == other.ChatType && LastMessage == other.LastMessage
        && ActivityTime == other.ActivityTime && CreatedTime == other.CreatedTime && IsPinned == other.IsPinned
        && PinnedTime == other.PinnedTime && UnreadCount == other.UnreadCount && Ext == other.Ext
        && PeerReadTimestamp == other.PeerReadTimestamp && Muted == other.Muted && MutedUntil == other.MutedUntil
        && MarkedUnread == other.MarkedUnread && (Marks ?? []).SequenceEqual(other.Marks ?? []);

    public override int GetHashCode() => HashCode.Combine(ConversationId, ChatType, ActivityTime, UnreadCount);
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
