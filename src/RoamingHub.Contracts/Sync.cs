using MessagePack;

namespace RoamingHub.Contracts;

/// <summary>
/// An entry of the user's stream: a change one device made (sent to the user's other devices), a message
/// (<c>MESSAGE</c>, in replay) or a read acknowledgement (<c>PEER_READ</c>, in replay).
/// </summary>
[MessagePackObject]
public sealed record MultiDeviceEvent
{
    /// <summary>Per-user sequence number: 1, 2, 3… without gaps.</summary>
    [Key("seq")] public long Seq { get; init; }
    /// <summary>One of <see cref="MultiDeviceOperations"/>.</summary>
    [Key("operation")] public string Operation { get; init; } = "";
    [Key("conversationId")] public string ConversationId { get; init; } = "";
    [Key("chatType")] public string ChatType { get; init; } = "";
    /// <summary>When the change was made, Unix milliseconds.</summary>
    [Key("timestamp")] public long Timestamp { get; init; }
    /// <summary>The device that made the change.</summary>
    [Key("fromDeviceId")] public string FromDeviceId { get; init; } = "";
    /// <summary>For <c>CONVERSATION_PINNED</c>: the pin time.</summary>
    [Key("pinnedTime")] public long? PinnedTime { get; init; }
    /// <summary>For <c>deleteRoaming</c> by time: messages at or before this time are hidden.</summary>
    [Key("beforeTimestamp")] public long? BeforeTimestamp { get; init; }
    /// <summary>For <c>deleteRoaming</c> by ids: the messages hidden.</summary>
    [Key("msgIds")] public IReadOnlyList<string>? MsgIds { get; init; }
    /// <summary>For <c>CONVERSATION_DELETED</c>: whether the history was hidden too.</summary>
    [Key("deleteRoam")] public bool? DeleteRoam { get; init; }
    /// <summary>For <c>CONVERSATION_READ</c> and <c>ALL_CONVERSATIONS_READ</c>: read up to this time.</summary>
    [Key("readTimestamp")] public long? ReadTimestamp { get; init; }
    /// <summary>For <c>CONVERSATION_EXT_UPDATED</c>: the new extension field (null when cleared).</summary>
    [Key("ext")] public string? Ext { get; init; }
    /// <summary>The epoch of the user's stream this entry belongs to: seqs compare only within one epoch.</summary>
    [Key("epoch")] public string? Epoch { get; init; }
    /// <summary>For <c>MESSAGE</c>: the whole message as this user sees it; null when this user can no longer see it (past retention, a deleted group, hidden by a one-way deletion).</summary>
    [Key("message")] public Message? Message { get; init; }
    /// <summary>For <c>CONVERSATION_MUTED</c>: when the mute ends by itself; null for a mute without an end.</summary>
    [Key("mutedUntil")] public long? MutedUntil { get; init; }
    /// <summary>For <c>CONVERSATION_MARKS_UPDATED</c>: the conversation's marks now, ascending.</summary>
    [Key("marks")] public IReadOnlyList<int>? Marks { get; init; }
    /// <summary>For <c>MESSAGE_RECALLED</c>: the message its sender recalled.</summary>
    [Key("msgId")] public string? MsgId { get; init; }

    /// <summary>Value equality including the id list, so events compare as the values they are.</summary>
    public bool Equals(MultiDeviceEvent? other) =>
        other is not null && Seq == other.Seq && Operation == other.Operation && ConversationId == other.ConversationId
        && ChatType == other.ChatType && Timestamp == other.Timestamp && FromDeviceId == other.FromDeviceId
        && PinnedTime == other.PinnedTime && BeforeTimestamp == other.BeforeTimestamp && DeleteRoam == other.DeleteRoam
        && ReadTimestamp == other.ReadTimestamp && Ext == other.Ext && Epoch == other.Epoch && Message == other.Message
        && MsgId == other.MsgId
        && (MsgIds ?? []).SequenceEqual(other.MsgIds ?? []) && MutedUntil == other.MutedUntil
        && (Marks is null ? other.Marks is null : other.Marks is not null && Marks.SequenceEqual(other.Marks));

    public override int GetHashCode() => HashCode.Combine(Seq, Operation, ConversationId, Timestamp);
}

/// <summary>Result of <c>GetSyncState</c>.</summary>
[MessagePackObject]
public sealed record SyncState
{
    /// <summary>The sequence number of the user's newest event; 0 when there is none.</summary>
    [Key("lastSeq")] public long LastSeq { get; init; }
    /// <summary>The epoch of the user's stream: a device keeps it with its seq.</summary>
    [Key("epoch")] public string? Epoch { get; init; }
}

/// <summary>Arguments of <c>SyncEvents</c>.</summary>
[MessagePackObject]
public sealed record SyncEventsRequest
{
    /// <summary>Return the events after this sequence number.</summary>
    [Key("sinceSeq")] public long SinceSeq { get; init; }
    /// <summary>1–200; 100 when omitted.</summary>
    [Key("limit")] public int? Limit { get; init; }
    /// <summary>The epoch <see cref="SinceSeq"/> belongs to; when given and not the stream's current one, the answer is <c>resyncRequired</c>.</summary>
    [Key("epoch")] public string? Epoch { get; init; }
}

/// <summary>Result of <c>SyncEvents</c>.</summary>
[MessagePackObject]
public sealed record SyncEventsResult
{
    [Key("events")] public IReadOnlyList<MultiDeviceEvent> Events { get; init; } = [];
    [Key("lastSeq")] public long LastSeq { get; init; }
    /// <summary>More entries follow (the page was cut by count or by bytes): call again from the last returned <c>seq</c>.</summary>
    [Key("hasMore")] public bool HasMore { get; init; }
    /// <summary>The log no longer holds the events after <c>sinceSeq</c>: refetch the lists, then continue from <see cref="LastSeq"/>.</summary>
    [Key("resyncRequired")] public bool ResyncRequired { get; init; }
    /// <summary>The stream's current epoch.</summary>
    [Key("epoch")] public string? Epoch { get; init; }
}

/// <summary>The push <c>onResyncRequired</c>: where the user's stream stands now.</summary>
[MessagePackObject]
public sealed record ResyncRequired
{
    /// <summary>The seq of the stream's newest entry: live entries follow it.</summary>
    [Key("lastSeq")] public long LastSeq { get; init; }
    /// <summary>The stream's current epoch.</summary>
    [Key("epoch")] public string? Epoch { get; init; }
}
