namespace RoamingHub.Contracts;

/// <summary>How a stream entry replayed by <c>SyncEvents</c> relates to the push that carries it live.</summary>
public static class StreamEntries
{
    /// <summary>
    /// What the entry's live push carries: a <c>MESSAGE</c> entry its message, a <c>PEER_READ</c> entry its read
    /// acknowledgement, stamped with the entry's seq and epoch; any other entry is the multi-device event itself. Null
    /// for a message gone from history: its seq counts, but there is nothing to deliver.
    /// </summary>
    public static object? Payload(MultiDeviceEvent entry) => entry.Operation switch
    {
        MultiDeviceOperations.Message => entry.Message is { } message ? message with { Seq = entry.Seq, Epoch = entry.Epoch } : null,
        MultiDeviceOperations.PeerRead => new ReadAck
        {
            ConversationId = entry.ConversationId,
            ChatType = entry.ChatType.Length > 0 ? entry.ChatType : ChatTypes.SingleChat,
            ReadTimestamp = entry.ReadTimestamp ?? 0,
            Seq = entry.Seq,
            Epoch = entry.Epoch,
        },
        _ => entry,
    };

    /// <summary>The client method a payload of <see cref="Payload"/> is pushed with.</summary>
    public static string MethodOf(object payload) => payload switch
    {
        Message => HubEvents.OnMessage,
        ReadAck => HubEvents.OnReadAck,
        _ => HubEvents.OnMultiDeviceEvent,
    };
}
