using MessagePack;

namespace RoamingHub.Contracts;

/// <summary>Arguments of <c>FetchHistoryMessages</c>.</summary>
[MessagePackObject]
public sealed record FetchHistoryMessagesRequest
{
    [Key("conversationId")] public string? ConversationId { get; init; }
    [Key("chatType")] public string? ChatType { get; init; }
    /// <summary>A <c>msgId</c>, exclusive; null, "" or "-1" starts from the newest (up) or the oldest (down) message.</summary>
    [Key("cursor")] public string? Cursor { get; init; }
    /// <summary>1–50; 20 when omitted.</summary>
    [Key("pageSize")] public int? PageSize { get; init; }
    /// <summary><c>up</c> (default: older, newest first) or <c>down</c> (newer, oldest first).</summary>
    [Key("direction")] public string? Direction { get; init; }
}

/// <summary>Arguments of <c>DeleteRemoteMessagesBefore</c>.</summary>
[MessagePackObject]
public sealed record DeleteRemoteMessagesBeforeRequest : IConversationRequest
{
    [Key("conversationId")] public string? ConversationId { get; init; }
    [Key("chatType")] public string? ChatType { get; init; }
    /// <summary>Unix milliseconds: messages at or before it are hidden from this user.</summary>
    [Key("timestamp")] public long Timestamp { get; init; }
    /// <summary>Client-chosen id: repeating the call with the same id within the idempotency window has one effect and returns the first result.</summary>
    [Key("clientOpId")] public string? ClientOpId { get; init; }
}

/// <summary>Arguments of <c>DeleteRemoteMessagesWithIds</c>.</summary>
[MessagePackObject]
public sealed record DeleteRemoteMessagesWithIdsRequest : IConversationRequest
{
    [Key("conversationId")] public string? ConversationId { get; init; }
    [Key("chatType")] public string? ChatType { get; init; }
    /// <summary>1–50 message ids.</summary>
    [Key("msgIds")] public IReadOnlyList<string>? MsgIds { get; init; }
    /// <summary>Client-chosen id: repeating the call with the same id within the idempotency window has one effect and returns the first result.</summary>
    [Key("clientOpId")] public string? ClientOpId { get; init; }
}

/// <summary>What a one-way deletion applied.</summary>
[MessagePackObject]
public sealed record DeleteRoamingResult
{
    /// <summary>By time: the user's watermark after the call (it never moves backwards).</summary>
    [Key("beforeTimestamp")] public long? BeforeTimestamp { get; init; }
    /// <summary>By ids: the ids newly hidden (unknown and already hidden ids are left out).</summary>
    [Key("msgIds")] public IReadOnlyList<string>? MsgIds { get; init; }
    /// <summary>Sequence number of the <c>deleteRoaming</c> event; null when the call changed nothing.</summary>
    [Key("seq")] public long? Seq { get; init; }
    /// <summary>The epoch of the user's stream that <c>seq</c> belongs to; null when <c>seq</c> is.</summary>
    [Key("epoch")] public string? Epoch { get; init; }
}

/// <summary>Arguments of <c>DeleteRemoteConversation</c>.</summary>
[MessagePackObject]
public sealed record DeleteRemoteConversationRequest : IConversationRequest
{
    [Key("conversationId")] public string? ConversationId { get; init; }
    [Key("chatType")] public string? ChatType { get; init; }
    /// <summary>Also hide the conversation's history up to now from this user; true when omitted.</summary>
    [Key("deleteRoam")] public bool? DeleteRoam { get; init; }
    /// <summary>Client-chosen id: repeating the call with the same id within the idempotency window has one effect and returns the first result.</summary>
    [Key("clientOpId")] public string? ClientOpId { get; init; }
}

/// <summary>Result of <c>DeleteRemoteConversation</c>.</summary>
[MessagePackObject]
public sealed record DeleteConversationResult
{
    [Key("deleteRoam")] public bool DeleteRoam { get; init; }
    /// <summary>Sequence number of the <c>CONVERSATION_DELETED</c> event.</summary>
    [Key("seq")] public long Seq { get; init; }
    /// <summary>The epoch of the user's stream that <c>seq</c> belongs to; null when <c>seq</c> is.</summary>
    [Key("epoch")] public string? Epoch { get; init; }
}

/// <summary>Body of <c>POST /api/messages</c>: a message sent by the server on behalf of a user.</summary>
[MessagePackObject]
public sealed record AdminSendMessageRequest
{
    [Key("from")] public string? From { get; init; }
    [Key("to")] public string? To { get; init; }
    [Key("chatType")] public string? ChatType { get; init; }
    [Key("type")] public string? Type { get; init; }
    [Key("body")] public string? Body { get; init; }
}
