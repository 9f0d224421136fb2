using static RoamingHub.Server.Storage.Redis.Scripts.ScriptArgs;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>add_connection.lua</c>: counts a connection against its user's limit, or checks for room.</summary>
internal static class AddConnectionScript
{
    private static readonly RedisScript Script = RedisScript.Get("add_connection.lua");

    /// <summary>
    /// <see cref="ScriptStatus.Ok"/> when admitted (with a null <paramref name="record"/>: when there is room),
    /// <see cref="ScriptStatus.ConnectionLimit"/> at the limit.
    /// </summary>
    public static async Task<ScriptStatus> RunAsync(
        RedisStoreContext store, string userId, ConnectionRecord? record, long now, IReadOnlyCollection<LiveNode> liveNodes)
    {
        var args = new List<StackExchange.Redis.RedisValue>(5 + (2 * liveNodes.Count))
        {
            record is { } r ? RedisPresenceStore.Member(r) : "",
            Number(now),
            Number(store.NodeTimeoutFloor(now)),
            store.Options.MaxConnectionsPerUser,
            Number((long)store.ConnectionsLifetime.TotalMilliseconds),
        };
        foreach (var node in liveNodes)
        {
            args.Add(node.NodeId);
            args.Add(Number(node.RewrittenSince));
        }

        var reply = await Script.RunAsync(store.Db, [store.Keys.Connections(userId)], [.. args]).ConfigureAwait(false);
        return reply.Status;
    }
}
