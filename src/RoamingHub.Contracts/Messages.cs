using MessagePack;

namespace RoamingHub.Contracts;

/// <summary>Arguments of <c>SendMessage</c>.</summary>
[MessagePackObject]
public sealed record SendMessageRequest : IIdempotentRequest
{
    [Key("to")] public string? To { get; init; }
    [Key("chatType")] public string? ChatType { get; init; }
    /// <summary>Application-defined message type; <c>text</c> when omitted.</summary>
    [Key("type")] public string? Type { get; init; }
    [Key("body")] public string? Body { get; init; }
    /// <summary>Client-chosen id: a retry with the same id stores nothing new and returns the first result.</summary>
    [Key("clientMsgId")] public string? ClientMsgId { get; init; }
    /// <summary>Client-chosen id: repeating the call with the same id within the idempotency window has one effect and returns the first result.</summary>
    [Key("clientOpId")] public string? ClientOpId { get; init; }
}

/// <summary>A stored message, as the user who receives this object sees it.</summary>
[MessagePackObject]
public sealed record Message
{
    [Key("msgId")] public string MsgId { get; init; } = "";
    /// <summary>The conversation as the receiving user sees it: in single chat, the other participant.</summary>
    [Key("conversationId")] public string ConversationId { get; init; } = "";
    [Key("chatType")] public string ChatType { get; init; } = "";
    [Key("from")] public string From { get; init; } = "";
    [Key("to")] public string To { get; init; } = "";
    /// <summary>Server time the message was stored, Unix milliseconds.</summary>
    [Key("timestamp")] public long Timestamp { get; init; }
    [Key("type")] public string Type { get; init; } = "";
    [Key("body")] public string Body { get; init; } = "";
    /// <summary>In a push, a <c>SendMessage</c> result and a <c>MESSAGE</c> entry: the seq of this message's entry in the receiving user's stream; null in history pages.</summary>
    [Key("seq")] public long? Seq { get; init; }
    /// <summary>Where <c>seq</c> is given: the epoch of the receiving user's stream; null in history pages.</summary>
    [Key("epoch")] public string? Epoch { get; init; }
}
