using static RoamingHub.Server.Storage.Redis.Scripts.ScriptArgs;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>node_heartbeat.lua</c>: records that a node is alive and answers which nodes are.</summary>
internal static class NodeHeartbeatScript
{
    private static readonly RedisScript Script = RedisScript.Get("node_heartbeat.lua");

    /// <summary>A node not heard from for this long leaves the node table.</summary>
    private static readonly TimeSpan ForgetAfter = TimeSpan.FromDays(1);

    public static async Task<Heartbeat> RunAsync(RedisStoreContext store, string nodeId, long rewrittenSince, long previousHeartbeat, long now)
    {
        var reply = await Script.RunAsync(
            store.Db,
            [store.Keys.Nodes],
            [
                nodeId, Number(now), Number(rewrittenSince), Number(previousHeartbeat), Number(store.NodeTimeoutFloor(now)),
                Number(now - (long)ForgetAfter.TotalMilliseconds),
            ]).ConfigureAwait(false);
        var live = new List<LiveNode>((reply.Length - 3) / 2);
        for (var i = 3; i + 1 < reply.Length; i += 2)
        {
            live.Add(new LiveNode(reply.Text(i), long.Parse(reply.Text(i + 1), System.Globalization.CultureInfo.InvariantCulture)));
        }

        return new Heartbeat(live, StoreIntact: reply.Number(1) == 1, StoreClock: long.Parse(reply.Text(2), System.Globalization.CultureInfo.InvariantCulture));
    }
}
