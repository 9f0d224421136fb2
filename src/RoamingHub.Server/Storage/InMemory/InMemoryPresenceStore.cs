namespace RoamingHub.Server.Storage.InMemory;

/// <summary>
/// The embedded store's connection records per user and its node table, with the same rules as Redis (see
/// <see cref="IPresenceStore"/>); with one process there is one node, but the rules are the contract.
/// </summary>
internal sealed class InMemoryPresenceStore(InMemoryState state) : IPresenceStore
{
    public ValueTask<SyncState?> TryAddConnectionAsync(string userId, ConnectionRecord record, long now, IReadOnlyCollection<LiveNode> liveNodes, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            var connections = state.ConnectionsOf(userId);
            var counted = CountLive(connections, now, liveNodes);
            if (!connections.ContainsKey(record) && counted >= state.Options.MaxConnectionsPerUser)
            {
                return ValueTask.FromResult<SyncState?>(null);
            }

            connections[record] = now;

            // As InMemoryEventLog.GetSyncStateAsync reads it: reading the stream fixes its epoch and keeps the user alive.
            state.Expire(now);
            var stream = state.WriteUser(userId, now).Stream;
            return ValueTask.FromResult<SyncState?>(new SyncState { LastSeq = stream.Seq, Epoch = stream.Epoch });
        }
    }

    public ValueTask<bool> HasRoomAsync(string userId, long now, IReadOnlyCollection<LiveNode> liveNodes, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            return ValueTask.FromResult(CountLive(state.Connections.GetValueOrDefault(userId) ?? [], now, liveNodes) < state.Options.MaxConnectionsPerUser);
        }
    }

    public ValueTask RemoveConnectionAsync(string userId, ConnectionRecord record, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            state.ForgetConnection(userId, record);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask RewriteConnectionsAsync(string nodeId, IReadOnlyCollection<(string UserId, string RecordId)> held, long now, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            foreach (var (userId, recordId) in held)
            {
                state.ConnectionsOf(userId)[new ConnectionRecord(nodeId, recordId)] = now;
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<Heartbeat> HeartbeatAsync(string nodeId, long rewrittenSince, long previousHeartbeat, long now, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            var intact = state.Nodes.TryGetValue(nodeId, out var previous) ? previous.Heartbeat >= previousHeartbeat : previousHeartbeat == 0;
            state.Nodes[nodeId] = (now, rewrittenSince);
            var floor = TimeoutFloor(now);
            return ValueTask.FromResult(new Heartbeat(
                [.. state.Nodes.Where(n => n.Value.Heartbeat >= floor).Select(n => new LiveNode(n.Key, n.Value.RewrittenSince))],
                intact));
        }
    }

    /// <summary>Forgets the records that no longer count (see <see cref="IPresenceStore"/>) and counts the rest.</summary>
    private int CountLive(Dictionary<ConnectionRecord, long> connections, long now, IReadOnlyCollection<LiveNode> liveNodes)
    {
        var floor = TimeoutFloor(now);
        var since = liveNodes.ToDictionary(n => n.NodeId, n => n.RewrittenSince, StringComparer.Ordinal);
        foreach (var (record, written) in connections.ToList())
        {
            var counts = (since.TryGetValue(record.NodeId, out var rewrittenSince) && written >= rewrittenSince) || written >= floor;
            if (!counts)
            {
                connections.Remove(record);
            }
        }

        return connections.Count;
    }

    private long TimeoutFloor(long now) => now - (long)state.Options.NodeTimeout.TotalMilliseconds;
}
