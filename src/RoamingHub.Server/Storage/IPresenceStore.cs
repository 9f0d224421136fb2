namespace RoamingHub.Server.Storage;

/// <summary>
/// Which connections each user holds on every node, so <c>MaxConnectionsPerUser</c> holds across nodes, and which
/// nodes are alive, so a dead node's connections stop counting within seconds.
/// <para>
/// Each node owns the records of its connections: it writes one when it admits a connection, removes it when the
/// connection closes, and every <c>PresenceRewriteInterval</c> rewrites all of them from what it actually holds (a
/// "round"). A record counts only while its node is alive and the record was written since the node's last complete
/// round began; so records the node does not hold (left by a failed removal, or brought back by a restore of an older
/// snapshot) stop counting after one round, and records that were lost come back in the next. A record written
/// within <c>NodeTimeout</c> counts whatever its node, so a node that started a moment ago is not misjudged.
/// </para>
/// Times are passed in by the caller (from <see cref="TimeProvider"/>), never read by a store.
/// </summary>
internal interface IPresenceStore
{
    /// <summary>
    /// Counts a new connection against the user's limit, after forgetting the user's records that no longer count
    /// (see the type's remarks), and answers where the user's stream stands in the same step, as
    /// <c>IEventLog.GetSyncStateAsync</c> would (so a connection learns the position it was admitted at without
    /// another call); null when the user is at the limit.
    /// </summary>
    ValueTask<SyncState?> TryAddConnectionAsync(string userId, ConnectionRecord record, long now, IReadOnlyCollection<LiveNode> liveNodes, CancellationToken cancellationToken);

    /// <summary>Whether the user is below the limit now: the same count as <see cref="TryAddConnectionAsync"/>, writing nothing but the forgetting.</summary>
    ValueTask<bool> HasRoomAsync(string userId, long now, IReadOnlyCollection<LiveNode> liveNodes, CancellationToken cancellationToken);

    ValueTask RemoveConnectionAsync(string userId, ConnectionRecord record, CancellationToken cancellationToken);

    /// <summary>Writes the records of connections a node holds, as of <paramref name="now"/>; part of one of its rounds.</summary>
    ValueTask RewriteConnectionsAsync(string nodeId, IReadOnlyCollection<(string UserId, string RecordId)> held, long now, CancellationToken cancellationToken);

    /// <summary>
    /// Records that a node is alive and when its last complete round began, and answers the nodes alive at
    /// <paramref name="now"/> (heard from within <c>NodeTimeout</c>), the caller included.
    /// <paramref name="previousHeartbeat"/> is the <paramref name="now"/> of the node's last answered heartbeat (0 on
    /// its first). The answer says the store may have lost or gone back on its data since then, so the node rewrites
    /// its records at once, when the store holds no heartbeat of the node or an older one than that (a heartbeat that
    /// timed out but ran later leaves a newer one, which is fine), or (Redis) when a connection to it had to be
    /// re-established meanwhile (a restart from an older snapshot may keep the last heartbeat).
    /// </summary>
    ValueTask<Heartbeat> HeartbeatAsync(string nodeId, long rewrittenSince, long previousHeartbeat, long now, CancellationToken cancellationToken);
}

/// <summary>A connection's record: the node that holds it and an id unique on that node.</summary>
internal readonly record struct ConnectionRecord(string NodeId, string RecordId);

/// <summary>A node heard from within <c>NodeTimeout</c>, and when its last complete round of rewriting began (Unix ms).</summary>
internal readonly record struct LiveNode(string NodeId, long RewrittenSince);

/// <summary>The nodes alive, and whether the store kept everything since the caller's previous heartbeat, as far as it can tell.</summary>
/// <see cref="StoreClock"/> is the store's own time (Unix ms) where it has one, so a node can tell that its clock is off.
internal sealed record Heartbeat(IReadOnlyList<LiveNode> LiveNodes, bool StoreIntact, long? StoreClock = null);
