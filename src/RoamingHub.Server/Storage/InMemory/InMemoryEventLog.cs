using RoamingHub.Contracts;

namespace RoamingHub.Server.Storage.InMemory;

/// <summary>The embedded store's per-user streams, read back by seq with messages looked up in their chats.</summary>
internal sealed class InMemoryEventLog(InMemoryState state) : IEventLog
{
    public ValueTask<SyncState> GetSyncStateAsync(string userId, long now, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            var stream = state.User(userId).Stream;
            return ValueTask.FromResult(new SyncState { LastSeq = stream.Seq, Epoch = stream.Epoch });
        }
    }

    public ValueTask<SyncEventsResult> SyncEventsAsync(string userId, long sinceSeq, string? epoch, int limit, long now, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            var stream = state.User(userId).Stream;
            stream.Trim(now, state.Options);
            var oldest = stream.Entries.Count > 0 ? stream.Entries.First().Seq : stream.Seq + 1;
            if ((epoch is not null && epoch != stream.Epoch) || sinceSeq > stream.Seq || sinceSeq < oldest - 1)
            {
                return ValueTask.FromResult(StreamReplay.Resync(stream.Seq, stream.Epoch));
            }

            var floor = state.RetentionFloor(now);
            var entries = stream.Entries.Where(e => e.Seq > sinceSeq).Take(limit).Select(e => e.MsgId is null ? e.Event : Replay(userId, e, floor)).ToList();
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
        var chat = state.Chats.GetValueOrDefault(conversation.ChatKey(userId));
        var found = chat?.Find(entry.MsgId!);
        var message = found is { } m && chat!.IsVisible(userId, m.Position, entry.MsgId!, retentionFloor) ? m.Message : null;
        return StreamReplay.MessageEntry(new StreamEntryRef(entry.Seq, entry.Event.Epoch!), conversation, entry.Event.Timestamp, message, userId);
    }
}
