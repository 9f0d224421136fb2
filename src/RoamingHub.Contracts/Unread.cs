using MessagePack;

namespace RoamingHub.Contracts;

/// <summary>Arguments of <c>MarkConversationRead</c>.</summary>
[MessagePackObject]
public sealed record MarkConversationReadRequest : IConversationRequest
{
    [Key("conversationId")] public string? ConversationId { get; init; }
    [Key("chatType")] public string? ChatType { get; init; }
    /// <summary>Read up to this time, Unix ms, but no further than the newest message; every message when omitted.</summary>
    [Key("timestamp")] public long? Timestamp { get; init; }
    /// <summary>Client-chosen id: repeating the call with the same id within the idempotency window has one effect and returns the first result.</summary>
    [Key("clientOpId")] public string? ClientOpId { get; init; }
}

/// <summary>Result of <c>MarkConversationRead</c>.</summary>
[MessagePackObject]
public sealed record MarkReadResult
{
    /// <summary>The read point after the call; it only moves forward.</summary>
    [Key("readTimestamp")] public long ReadTimestamp { get; init; }
    /// <summary>Messages still unread after the read point.</summary>
    [Key("unreadCount")] public int UnreadCount { get; init; }
    /// <summary>Sequence number of the <c>CONVERSATION_READ</c> event; null when the read point did not move and no unread mark was cleared.</summary>
    [Key("seq")] public long? Seq { get; init; }
    /// <summary>The epoch of the user's stream that <c>seq</c> belongs to; null when <c>seq</c> is.</summary>
    [Key("epoch")] public string? Epoch { get; init; }
}

/// <summary>Arguments of <c>MarkAllConversationsRead</c>.</summary>
[MessagePackObject]
public sealed record MarkAllConversationsReadRequest : IIdempotentRequest
{
    /// <summary>Client-chosen id: repeating the call with the same id within the idempotency window has one effect and returns the first result.</summary>
    [Key("clientOpId")] public string? ClientOpId { get; init; }
}

/// <summary>Result of <c>MarkAllConversationsRead</c>.</summary>
[MessagePackObject]
public sealed record MarkAllReadResult
{
    [Key("readTimestamp")] public long ReadTimestamp { get; init; }
    /// <summary>Sequence number of the <c>ALL_CONVERSATIONS_READ</c> event.</summary>
    [Key("seq")] public long Seq { get; init; }
    /// <summary>The epoch of the user's stream that <c>seq</c> belongs to; null when <c>seq</c> is.</summary>
    [Key("epoch")] public string? Epoch { get; init; }
}

/// <summary>Result of <c>GetUnreadSummary</c>: what a badge shows.</summary>
[MessagePackObject]
public sealed record UnreadSummary
{
    [Key("totalUnread")] public long TotalUnread { get; init; }
    /// <summary>Conversations with unread messages, and those marked unread that have none.</summary>
    [Key("conversationsWithUnread")] public long ConversationsWithUnread { get; init; }
    /// <summary>Unread messages outside muted conversations: the badge of an app whose muted conversations do not ring.</summary>
    [Key("totalUnreadUnmuted")] public long TotalUnreadUnmuted { get; init; }
}

/// <summary>Pushed as <c>onReadAck</c> to the other participant of a single chat.</summary>
[MessagePackObject]
public sealed record ReadAck
{
    /// <summary>The reader, which is the conversation as the receiving user sees it.</summary>
    [Key("conversationId")] public string ConversationId { get; init; } = "";
    [Key("chatType")] public string ChatType { get; init; } = "";
    /// <summary>Every message up to this time was read.</summary>
    [Key("readTimestamp")] public long ReadTimestamp { get; init; }
    /// <summary>The seq of this acknowledgement's entry in the receiving user's stream.</summary>
    [Key("seq")] public long? Seq { get; init; }
    /// <summary>The epoch of the receiving user's stream.</summary>
    [Key("epoch")] public string? Epoch { get; init; }
}

/// <summary>Arguments of <c>UpdateConversationExt</c>.</summary>
[MessagePackObject]
public sealed record UpdateConversationExtRequest : IConversationRequest
{
    [Key("conversationId")] public string? ConversationId { get; init; }
    [Key("chatType")] public string? ChatType { get; init; }
    /// <summary>Up to 1 KiB of UTF-8 text; null or empty clears it.</summary>
    [Key("ext")] public string? Ext { get; init; }
    /// <summary>Client-chosen id: repeating the call with the same id within the idempotency window has one effect and returns the first result.</summary>
    [Key("clientOpId")] public string? ClientOpId { get; init; }
}

/// <summary>Result of <c>UpdateConversationExt</c>.</summary>
[MessagePackObject]
public sealed record UpdateExtResult
{
    [Key("ext")] public string? Ext { get; init; }
    /// <summary>Sequence number of the <c>CONVERSATION_EXT_UPDATED</c> event; null when nothing changed.</summary>
    [Key("seq")] public long? Seq { get; init; }
    /// <summary>The epoch of the user's stream that <c>seq</c> belongs to; null when <c>seq</c> is.</summary>
    [Key("epoch")] public string? Epoch { get; init; }
}
