using RoamingHub.Contracts;

namespace RoamingHub.Server.Storage.InMemory;

/// <summary>The embedded store's per-user streams, read back by seq with messages looked up in their chats.</summary>
internal sealed class InMemoryEventLog(InMemoryState state) : IEventLog
{
    public ValueTask<SyncState> GetSyncStateAsync(string userId, long now, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            state.Expire(now);
            // As in Redis, reading the stream fixes its epoch, so an id with none gets one, kept for the user lifetime.
            var stream = state.WriteUser(userId, now).Stream;
            return ValueTask.FromResult(new SyncState { LastSeq = stream.Seq, Epoch = stream.Epoch });
        }
    }

    public ValueTask<SyncEventsResult> SyncEventsAsync(string userId, long sinceSeq, string? epoch, int limit, long now, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            state.Expire(now);
            var stream = state.WriteUser(userId, now).Stream;
            stream.Trim(now, state.Options);
            if ((epoch is not null && epoch != stream.Epoch) || sinceSeq > stream.Seq || sinceSeq < stream.OldestSeq - 1)
            {
                return ValueTask.FromResult(StreamReplay.Resync(stream.Seq, stream.Epoch));
            }

            var floor = state.RetentionFloor(now);
            var entries = stream.After(sinceSeq, limit).Select(e => e.MsgId is null ? e.Event : Replay(userId, e, floor)).ToList();
            return ValueTask.FromResult(StreamReplay.Page(entries, stream.Seq, stream.Epoch));
        }
    }

    /// <summary>
    /// A message entry with its message read back from the chat, or without it when the user can no longer see it: gone
    /// from history, or hidden from them by a one-way deletion.
    /// </summary>
    private MultiDeviceEvent Replay(string userId, LoggedStreamEntry entry, long retentionFloor)
    {
        var conversation = new Domain.ConversationRef(entry.Event.ChatType, entry.Event.ConversationId);
        var chat = state.FindChat(conversation, userId);
        var found = chat?.Find(entry.MsgId!);
        var message = found is { } m && chat!.IsVisible(userId, m.Position, entry.MsgId!, retentionFloor) ? m.Message : null;
        return StreamReplay.MessageEntry(new StreamEntryRef(entry.Seq, entry.Event.Epoch!), conversation, entry.Event.Timestamp, message, userId);
    }
}
