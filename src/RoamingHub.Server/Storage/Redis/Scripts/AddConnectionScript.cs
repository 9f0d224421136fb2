using static RoamingHub.Server.Storage.Redis.Scripts.ScriptArgs;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>add_connection.lua</c>: counts a connection against its user's limit.</summary>
internal static class AddConnectionScript
{
    private static readonly RedisScript Script = RedisScript.Get("add_connection.lua");

    /// <summary><see cref="ScriptStatus.Ok"/> when admitted, <see cref="ScriptStatus.ConnectionLimit"/> at the limit.</summary>
    public static async Task<ScriptStatus> RunAsync(RedisStoreContext store, string userId, string connectionId, long now)
    {
        var reply = await Script.RunAsync(
            store.Db,
            [store.Keys.Connections(userId)],
            [
                connectionId, Number(now), Number(store.StaleBefore(now)), store.Options.MaxConnectionsPerUser,
                Number((long)store.ConnectionsLifetime.TotalMilliseconds),
            ]).ConfigureAwait(false);
        return reply.Status;
    }
}
