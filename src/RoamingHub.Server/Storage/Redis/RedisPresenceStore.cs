using RoamingHub.Server.Storage.Redis.Scripts;
using StackExchange.Redis;

namespace RoamingHub.Server.Storage.Redis;

/// <summary>
/// Every node's connection records per user in Redis, one sorted set per user (<c>node_id:record_id</c> scored by
/// when its node last wrote it), and the node table the heartbeats keep (see <see cref="IPresenceStore"/>).
/// </summary>
internal sealed class RedisPresenceStore : IPresenceStore
{
    private readonly RedisStoreContext store;

    // Set when a connection to Redis was re-established: the server may have restarted from an older snapshot, or (on
    // a cluster) a master may have, where the node table's own check would not see it.
    private int _reconnected;

    public RedisPresenceStore(RedisStoreContext store)
    {
        this.store = store;
        store.Multiplexer.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive)
            {
                Volatile.Write(ref _reconnected, 1);
            }
        };
    }

    /// <summary>A record as a member of the user's connections set.</summary>
    public static RedisValue Member(ConnectionRecord record) => $"{record.NodeId}:{record.RecordId}";

    public async ValueTask<SyncState?> TryAddConnectionAsync(string userId, ConnectionRecord record, long now, IReadOnlyCollection<LiveNode> liveNodes, CancellationToken cancellationToken) =>
        await AddConnectionScript.AdmitAsync(store, userId, record, now, liveNodes).ConfigureAwait(false);

    public async ValueTask<bool> HasRoomAsync(string userId, long now, IReadOnlyCollection<LiveNode> liveNodes, CancellationToken cancellationToken) =>
        await AddConnectionScript.HasRoomAsync(store, userId, now, liveNodes).ConfigureAwait(false);

    public async ValueTask RemoveConnectionAsync(string userId, ConnectionRecord record, CancellationToken cancellationToken) =>
        await store.Db.SortedSetRemoveAsync(store.Keys.Connections(userId), Member(record)).ConfigureAwait(false);

    public async ValueTask RewriteConnectionsAsync(string nodeId, IReadOnlyCollection<(string UserId, string RecordId)> held, long now, CancellationToken cancellationToken)
    {
        var batch = store.Db.CreateBatch();
        var pending = new List<Task>(held.Count * 2);
        foreach (var (userId, recordId) in held)
        {
            var key = store.Keys.Connections(userId);
            pending.Add(batch.SortedSetAddAsync(key, Member(new ConnectionRecord(nodeId, recordId)), now));
            pending.Add(batch.KeyExpireAsync(key, store.ConnectionsLifetime));
        }

        batch.Execute();
        await Task.WhenAll(pending).ConfigureAwait(false);
    }

    public async ValueTask<Heartbeat> HeartbeatAsync(string nodeId, long rewrittenSince, long previousHeartbeat, long now, CancellationToken cancellationToken)
    {
        var reconnected = Interlocked.Exchange(ref _reconnected, 0) == 1;
        try
        {
            var heartbeat = await NodeHeartbeatScript.RunAsync(store, nodeId, rewrittenSince, previousHeartbeat, now).ConfigureAwait(false);
            return reconnected ? heartbeat with { StoreIntact = false } : heartbeat;
        }
        catch when (reconnected)
        {
            Volatile.Write(ref _reconnected, 1);
            throw;
        }
    }
}
