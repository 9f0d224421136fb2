using MessagePack;

namespace RoamingHub.Contracts;

/// <summary>Arguments of <c>RecallMessage</c>.</summary>
[MessagePackObject]
public sealed record RecallMessageRequest : IConversationRequest
{
    [Key("conversationId")] public string? ConversationId { get; init; }
    [Key("chatType")] public string? ChatType { get; init; }
    /// <summary>The message to recall: one the caller sent, within the server's recall window.</summary>
    [Key("msgId")] public string? MsgId { get; init; }
    /// <summary>Client-chosen id: repeating the call with the same id within the idempotency window has one effect and returns the first result.</summary>
    [Key("clientOpId")] public string? ClientOpId { get; init; }
}

/// <summary>Result of <c>RecallMessage</c>.</summary>
[MessagePackObject]
public sealed record RecallMessageResult
{
    [Key("msgId")] public string MsgId { get; init; } = "";
    /// <summary>
    /// Sequence number of the <c>MESSAGE_RECALLED</c> entry in the caller's stream (the one an earlier recall of the
    /// same message appended, for a repeat); null when a repeat came after the recall window.
    /// </summary>
    [Key("seq")] public long? Seq { get; init; }
    /// <summary>The epoch of the user's stream that <c>seq</c> belongs to; null when <c>seq</c> is.</summary>
    [Key("epoch")] public string? Epoch { get; init; }
}
