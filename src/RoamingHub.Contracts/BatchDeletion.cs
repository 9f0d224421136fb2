using MessagePack;

namespace RoamingHub.Contracts;

/// <summary>One conversation named in a batch: the peer's user id in single chat, the group id in group chat.</summary>
[MessagePackObject]
public sealed record ConversationTarget
{
    [Key("conversationId")] public string? ConversationId { get; init; }
    /// <summary><c>singleChat</c> or <c>groupChat</c>.</summary>
    [Key("chatType")] public string? ChatType { get; init; }
}

/// <summary>Arguments of <c>DeleteRemoteConversations</c>.</summary>
[MessagePackObject]
public sealed record DeleteRemoteConversationsRequest : IIdempotentRequest
{
    /// <summary>1–50 conversations; those not in the caller's list are skipped.</summary>
    [Key("conversations")] public IReadOnlyList<ConversationTarget>? Conversations { get; init; }
    /// <summary>Also hide each conversation's history up to now from this user; true when omitted.</summary>
    [Key("deleteRoam")] public bool? DeleteRoam { get; init; }
    /// <summary>
    /// Client-chosen id: repeating the call with the same id within the idempotency window has one effect and returns
    /// the first result; a repeat of a call that failed partway finishes it and answers the whole list.
    /// </summary>
    [Key("clientOpId")] public string? ClientOpId { get; init; }
}

/// <summary>Result of <c>DeleteRemoteConversations</c>.</summary>
[MessagePackObject]
public sealed record DeleteConversationsResult
{
    /// <summary>The conversations deleted, in the order the request named them, each with the seq of its <c>CONVERSATION_DELETED</c> event.</summary>
    [Key("deleted")] public IReadOnlyList<DeletedConversation> Deleted { get; init; } = [];

    /// <summary>Value equality including the list, so results compare as the values they are.</summary>
    public bool Equals(DeleteConversationsResult? other) => other is not null && Deleted.SequenceEqual(other.Deleted);

    public override int GetHashCode() => Deleted.Count;
}

/// <summary>One conversation a <c>DeleteRemoteConversations</c> call deleted.</summary>
[MessagePackObject]
public sealed record DeletedConversation
{
    [Key("conversationId")] public string ConversationId { get; init; } = "";
    [Key("chatType")] public string ChatType { get; init; } = "";
    /// <summary>Sequence number of its <c>CONVERSATION_DELETED</c> event.</summary>
    [Key("seq")] public long Seq { get; init; }
    /// <summary>The epoch of the user's stream that <c>seq</c> belongs to.</summary>
    [Key("epoch")] public string? Epoch { get; init; }
}
