using RoamingHub.Contracts;

namespace RoamingHub.Client;

/// <summary>Turns an entry replayed by <c>SyncEvents</c> into what its live push would have been.</summary>
internal static class StreamEntries
{
    /// <summary>
    /// A <c>MESSAGE</c> entry is its message, a <c>PEER_READ</c> entry its read acknowledgement, stamped with the
    /// entry's seq and epoch; any other entry is the multi-device event itself. Null for a message gone from history:
    /// its seq counts, but there is nothing to raise.
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
}
