using RoamingHub.Contracts;
using RoamingHub.Server.Storage.Redis.Scripts;

namespace RoamingHub.Server.Storage.Redis;

/// <summary>Each user's event log in Redis: written by the scripts that change state, read here.</summary>
internal sealed class RedisEventLog(RedisStoreContext store) : IEventLog
{
    public async ValueTask<long> GetLastSeqAsync(string userId, CancellationToken cancellationToken)
    {
        var value = await store.Db.StringGetAsync(store.Keys.EventSeq(userId)).ConfigureAwait(false);
        return value.IsNull ? 0 : (long)value;
    }

    public async ValueTask<SyncEventsResult> SyncEventsAsync(string userId, long sinceSeq, int limit, CancellationToken cancellationToken)
    {
        var read = await SyncEventsScript.RunAsync(store, userId, sinceSeq, limit).ConfigureAwait(false);
        return read.Status == ScriptStatus.ResyncRequired
            ? new SyncEventsResult { LastSeq = read.LastSeq, ResyncRequired = true }
            : new SyncEventsResult
            {
                Events = read.Events,
                LastSeq = read.LastSeq,
                HasMore = read.Events.Count > 0 && read.Events[^1].Seq < read.LastSeq,
            };
    }
}
