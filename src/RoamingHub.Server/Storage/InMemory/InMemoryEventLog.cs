using RoamingHub.Contracts;

namespace RoamingHub.Server.Storage.InMemory;

/// <summary>The embedded store's per-user event log, read back by sequence number.</summary>
internal sealed class InMemoryEventLog(InMemoryState state) : IEventLog
{
    public ValueTask<long> GetLastSeqAsync(string userId, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            return ValueTask.FromResult(state.User(userId).Seq);
        }
    }

    public ValueTask<SyncEventsResult> SyncEventsAsync(string userId, long sinceSeq, int limit, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            var user = state.User(userId);
            var oldest = user.Events.Count > 0 ? user.Events.Peek().Seq : user.Seq + 1;
            if (sinceSeq > user.Seq || sinceSeq < oldest - 1)
            {
                return ValueTask.FromResult(new SyncEventsResult { LastSeq = user.Seq, ResyncRequired = true });
            }

            var events = user.Events.Where(e => e.Seq > sinceSeq).Take(limit).ToList();
            var hasMore = events.Count > 0 && events[^1].Seq < user.Seq;
            return ValueTask.FromResult(new SyncEventsResult { Events = events, LastSeq = user.Seq, HasMore = hasMore });
        }
    }
}
