using MessagePack;

namespace RoamingHub.Contracts;

/// <summary>Arguments of <c>GetConversation</c>.</summary>
[MessagePackObject]
public sealed record GetConversationRequest
{
    [Key("conversationId")] public string? ConversationId { get; init; }
    [Key("chatType")] public string? ChatType { get; init; }
}

/// <summary>Arguments of <c>SetConversationMuted</c>.</summary>
[MessagePackObject]
public sealed record SetConversationMutedRequest : IConversationRequest
{
    [Key("conversationId")] public string? ConversationId { get; init; }
    [Key("chatType")] public string? ChatType { get; init; }
    [Key("muted")] public bool Muted { get; init; }
    /// <summary>With <see cref="Muted"/>: when the mute ends by itself, Unix ms, in the future; omitted for a mute without an end.</summary>
    [Key("mutedUntil")] public long? MutedUntil { get; init; }
    /// <summary>Client-chosen id: repeating the call with the same id within the idempotency window has one effect and returns the first result.</summary>
    [Key("clientOpId")] public string? ClientOpId { get; init; }
}

/// <summary>Result of <c>SetConversationMuted</c>.</summary>
[MessagePackObject]
public sealed record MuteResult
{
    [Key("muted")] public bool Muted { get; init; }
    [Key("mutedUntil")] public long? MutedUntil { get; init; }
    /// <summary>Sequence number of the <c>CONVERSATION_MUTED</c> or <c>CONVERSATION_UNMUTED</c> event; null when nothing changed.</summary>
    [Key("seq")] public long? Seq { get; init; }
    /// <summary>The epoch of the user's stream that <c>seq</c> belongs to; null when <c>seq</c> is.</summary>
    [Key("epoch")] public string? Epoch { get; init; }
}

/// <summary>Arguments of <c>MarkConversationUnread</c>.</summary>
[MessagePackObject]
public sealed record MarkConversationUnreadRequest : IConversationRequest
{
    [Key("conversationId")] public string? ConversationId { get; init; }
    [Key("chatType")] public string? ChatType { get; init; }
    /// <summary>Client-chosen id: repeating the call with the same id within the idempotency window has one effect and returns the first result.</summary>
    [Key("clientOpId")] public string? ClientOpId { get; init; }
}

/// <summary>Result of <c>MarkConversationUnread</c>.</summary>
[MessagePackObject]
public sealed record MarkUnreadResult
{
    /// <summary>Sequence number of the <c>CONVERSATION_MARKED_UNREAD</c> event; null when it was marked already.</summary>
    [Key("seq")] public long? Seq { get; init; }
    /// <summary>The epoch of the user's stream that <c>seq</c> belongs to; null when <c>seq</c> is.</summary>
    [Key("epoch")] public string? Epoch { get; init; }
}

/// <summary>Arguments of <c>SetConversationMarks</c>.</summary>
[MessagePackObject]
public sealed record SetConversationMarksRequest : IConversationRequest
{
    [Key("conversationId")] public string? ConversationId { get; init; }
    [Key("chatType")] public string? ChatType { get; init; }
    /// <summary>Marks (0–19) to add.</summary>
    [Key("add")] public IReadOnlyList<int>? Add { get; init; }
    /// <summary>Marks (0–19) to remove; a mark in both lists ends up removed.</summary>
    [Key("remove")] public IReadOnlyList<int>? Remove { get; init; }
    /// <summary>Client-chosen id: repeating the call with the same id within the idempotency window has one effect and returns the first result.</summary>
    [Key("clientOpId")] public string? ClientOpId { get; init; }
}

/// <summary>Result of <c>SetConversationMarks</c>.</summary>
[MessagePackObject]
public sealed record MarksResult
{
    /// <summary>The conversation's marks after the call, ascending.</summary>
    [Key("marks")] public IReadOnlyList<int> Marks { get; init; } = [];
    /// <summary>Sequence number of the <c>CONVERSATION_MARKS_UPDATED</c> event; null when nothing changed.</summary>
    [Key("seq")] public long? Seq { get; init; }
    /// <summary>The epoch of the user's stream that <c>seq</c> belongs to; null when <c>seq</c> is.</summary>
    [Key("epoch")] public string? Epoch { get; init; }
}

/// <summary>Limits of conversation marks.</summary>
public static class ConversationMarks
{
    /// <summary>The highest mark: marks are the integers 0 to this.</summary>
    public const int MaxMark = 19;
}
