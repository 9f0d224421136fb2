using RoamingHub.Contracts;
using StackExchange.Redis;
using static RoamingHub.Server.Storage.Redis.Scripts.ScriptArgs;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>add_connection.lua</c>: counts a connection against its user's limit, or checks for room.</summary>
internal static class AddConnectionScript
{
    private static readonly RedisScript Script = RedisScript.Get("add_connection.lua");

    /// <summary>Admits <paramref name="record"/>: where the user's stream stands once it is, or null at the limit.</summary>
    public static async Task<SyncState?> AdmitAsync(RedisStoreContext store, string userId, ConnectionRecord record, long now, IReadOnlyCollection<LiveNode> liveNodes)
    {
        var reply = await RunAsync(store, userId, RedisPresenceStore.Member(record), now, liveNodes).ConfigureAwait(false);
        return reply.Status == ScriptStatus.Ok ? new SyncState { LastSeq = reply.Number(1), Epoch = reply.Text(2) } : null;
    }

    /// <summary>Whether the user has room for one more connection; writes nothing but the forgetting.</summary>
    public static async Task<bool> HasRoomAsync(RedisStoreContext store, string userId, long now, IReadOnlyCollection<LiveNode> liveNodes) =>
        (await RunAsync(store, userId, "", now, liveNodes).ConfigureAwait(false)).Status == ScriptStatus.Ok;

    private static Task<ScriptReply> RunAsync(RedisStoreContext store, string userId, RedisValue record, long now, IReadOnlyCollection<LiveNode> liveNodes)
    {
        var args = new RedisValue[6 + (2 * liveNodes.Count)];
        args[0] = record;
        args[1] = Number(now);
        args[2] = Number(store.NodeTimeoutFloor(now));
        args[3] = store.Options.MaxConnectionsPerUser;
        args[4] = Number((long)store.ConnectionsLifetime.TotalMilliseconds);
        args[5] = store.UserBounds(now);
        var i = 6;
        foreach (var node in liveNodes)
        {
            args[i++] = node.NodeId;
            args[i++] = Number(node.RewrittenSince);
        }

        return Script.RunAsync(store.Db, store.Keys.UserScriptKeys(userId, extra: store.Keys.Connections(userId)), args);
    }
}
