using RoamingHub.Server.Storage.Redis.Scripts;

namespace RoamingHub.Server.Storage.Redis;

/// <summary>Every node's connections per user in Redis, scored by their last refresh so a dead node's age out.</summary>
internal sealed class RedisPresenceStore(RedisStoreContext store) : IPresenceStore
{
    public async ValueTask<bool> TryAddConnectionAsync(string userId, string connectionId, long now, CancellationToken cancellationToken) =>
        await AddConnectionScript.RunAsync(store, userId, connectionId, now).ConfigureAwait(false) == ScriptStatus.Ok;

    public async ValueTask RemoveConnectionAsync(string userId, string connectionId, CancellationToken cancellationToken) =>
        await store.Db.SortedSetRemoveAsync(store.Keys.Connections(userId), connectionId).ConfigureAwait(false);

    public async ValueTask RefreshConnectionsAsync(IReadOnlyCollection<(string UserId, string ConnectionId)> connections, long now, CancellationToken cancellationToken)
    {
        var batch = store.Db.CreateBatch();
        var pending = new List<Task>(connections.Count * 2);
        foreach (var (userId, connectionId) in connections)
        {
            var key = store.Keys.Connections(userId);
            pending.Add(batch.SortedSetAddAsync(key, connectionId, now, StackExchange.Redis.SortedSetWhen.Exists));
            pending.Add(batch.KeyExpireAsync(key, store.ConnectionsLifetime));
        }

        batch.Execute();
        await Task.WhenAll(pending).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<string>> GetConnectionsAsync(string userId, long now, CancellationToken cancellationToken) =>
        [.. (await store.Db.SortedSetRangeByScoreAsync(store.Keys.Connections(userId), store.StaleBefore(now)).ConfigureAwait(false)).Select(c => (string)c!)];
}
