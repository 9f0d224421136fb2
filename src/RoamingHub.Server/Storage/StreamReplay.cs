using MessagePack;
using RoamingHub.Contracts;
using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage;

/// <summary>How both stores shape a replay of a user's stream, so they cannot drift apart in what a device is told.</summary>
internal static class StreamReplay
{
    /// <summary>
    /// About how many bytes of entries one <c>SyncEvents</c> page carries: messages make entries large, and a page of
    /// 200 large messages would otherwise hold megabytes. A page holds at least one entry, whatever its size.
    /// </summary>
    public const int PageBytes = 256 * 1024;

    /// <summary>A <c>MESSAGE</c> entry as <paramref name="viewer"/> replays it; <paramref name="message"/> null when gone from history.</summary>
    public static MultiDeviceEvent MessageEntry(StreamEntryRef entry, ConversationRef conversation, long timestamp, StoredMessage? message, string viewer) =>
        entry.Stamp(new MultiDeviceEvent
        {
            Operation = MultiDeviceOperations.Message,
            ConversationId = conversation.Id,
            ChatType = conversation.ChatType,
            Timestamp = timestamp,
            Message = message is null ? null : message.ToWire(viewer) with { Seq = entry.Seq, Epoch = entry.Epoch },
        });

    /// <summary>The answer for <paramref name="entries"/> (in seq order, at most the count asked for), cut by bytes.</summary>
    public static SyncEventsResult Page(IReadOnlyList<MultiDeviceEvent> entries, long lastSeq, string epoch)
    {
        var kept = new List<MultiDeviceEvent>(entries.Count);
        var bytes = 0;
        foreach (var entry in entries)
        {
            bytes += MessagePackSerializer.Serialize(entry).Length;
            if (kept.Count > 0 && bytes > PageBytes)
            {
                break;
            }

            kept.Add(entry);
        }

        return new SyncEventsResult { Events = kept, LastSeq = lastSeq, HasMore = kept.Count > 0 && kept[^1].Seq < lastSeq, Epoch = epoch };
    }

    /// <summary>The answer when the device must refetch its lists and continue from <paramref name="lastSeq"/> in <paramref name="epoch"/>.</summary>
    public static SyncEventsResult Resync(long lastSeq, string epoch) => new() { LastSeq = lastSeq, ResyncRequired = true, Epoch = epoch };
}
