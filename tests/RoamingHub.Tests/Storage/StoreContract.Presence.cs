using RoamingHub.Contracts;
using RoamingHub.Server.Storage;

namespace RoamingHub.Tests.Storage;

/// <summary>Connection records and the node table, for every store (see <see cref="IPresenceStore"/>).</summary>
public abstract partial class StoreContract
{
    private const long Second = 1000;

    private static ConnectionRecord On(string node, string record) => new(node, record);

    private static LiveNode[] Live(params (string Node, long RewrittenSince)[] nodes) => [.. nodes.Select(n => new LiveNode(n.Node, n.RewrittenSince))];

    [Fact]
    public async Task Connections_beyond_the_limit_are_refused_until_one_closes()
    {
        var store = Store(o => o.MaxConnectionsPerUser = 2);
        var live = Live(("n1", T0 - Second));
        Assert.NotNull(await store.Presence.TryAddConnectionAsync(_alice, On("n1", "c1"), T0, live, default));
        Assert.NotNull(await store.Presence.TryAddConnectionAsync(_alice, On("n1", "c2"), T0, live, default));
        Assert.NotNull(await store.Presence.TryAddConnectionAsync(_bob, On("n1", "c3"), T0, live, default));

        Assert.Null(await store.Presence.TryAddConnectionAsync(_alice, On("n1", "c4"), T0 + 1, live, default));
        Assert.False(await store.Presence.HasRoomAsync(_alice, T0 + 1, live, default));
        // A record already counted is admitted again.
        Assert.NotNull(await store.Presence.TryAddConnectionAsync(_alice, On("n1", "c2"), T0 + 1, live, default));

        await store.Presence.RemoveConnectionAsync(_alice, On("n1", "c1"), default);
        Assert.True(await store.Presence.HasRoomAsync(_alice, T0 + 2, live, default));
        Assert.True(await store.Presence.HasRoomAsync(_alice, T0 + 2, live, default));
        Assert.NotNull(await store.Presence.TryAddConnectionAsync(_alice, On("n1", "c4"), T0 + 2, live, default));
        Assert.Null(await store.Presence.TryAddConnectionAsync(_alice, On("n1", "c5"), T0 + 3, live, default));
    }

    [Fact]
    public async Task An_admission_answers_where_the_users_stream_stands_as_GetSyncState_does()
    {
        var store = Store(o => o.MaxConnectionsPerUser = 1);
        var live = Live(("n1", T0 - Second));
        await store.Conversations.PinConversationAsync(_alice, With(_bob), pinned: true, "phone", T0, null, default);
        await store.Conversations.PinConversationAsync(_alice, With(_bob), pinned: false, "phone", T0 + 1, null, default);

        var admitted = await store.Presence.TryAddConnectionAsync(_alice, On("n1", "c1"), T0 + 2, live, default);
        var state = await store.Events.GetSyncStateAsync(_alice, T0 + 3, default);

        Assert.Equal(new SyncState { LastSeq = 2, Epoch = state.Epoch }, admitted);
        Assert.NotNull(state.Epoch);
        // A user with no stream yet starts at 0, in the epoch a later read answers too.
        var fresh = await store.Presence.TryAddConnectionAsync(_bob + "-new", On("n1", "c2"), T0 + 4, live, default);
        Assert.Equal(new SyncState { LastSeq = 0, Epoch = (await store.Events.GetSyncStateAsync(_bob + "-new", T0 + 5, default)).Epoch }, fresh);
        Assert.Null(await store.Presence.TryAddConnectionAsync(_alice, On("n1", "c3"), T0 + 6, live, default));
    }

    [Fact]
    public async Task A_dead_nodes_connections_stop_counting_once_they_are_older_than_the_node_timeout()
    {
        var store = Store(o => { o.MaxConnectionsPerUser = 2; o.NodeTimeout = TimeSpan.FromSeconds(5); });
        var both = Live(("n1", T0 - Second), ("n2", T0 - Second));
        Assert.NotNull(await store.Presence.TryAddConnectionAsync(_alice, On("n1", "c1"), T0, both, default));
        Assert.NotNull(await store.Presence.TryAddConnectionAsync(_alice, On("n2", "c2"), T0 + (4 * Second), both, default));

        // n1 died: only n2 is alive. c1 is older than the node timeout, so it no longer counts; c2's node is alive.
        var onlyN2 = Live(("n2", T0 - Second));
        Assert.NotNull(await store.Presence.TryAddConnectionAsync(_alice, On("n2", "c3"), T0 + (6 * Second), onlyN2, default));
        Assert.False(await store.Presence.HasRoomAsync(_alice, T0 + (6 * Second), onlyN2, default));

        // A record written within the node timeout counts whatever its node: a node that started a moment ago.
        var onlyN3 = Live(("n3", T0));
        Assert.False(await store.Presence.HasRoomAsync(_alice, T0 + (8 * Second), onlyN3, default));
        Assert.True(await store.Presence.HasRoomAsync(_alice, T0 + (11 * Second) + 1, onlyN3, default));
    }

    [Fact]
    public async Task Records_a_live_node_did_not_rewrite_in_its_last_round_stop_counting_and_lost_ones_come_back()
    {
        var store = Store(o => { o.MaxConnectionsPerUser = 2; o.NodeTimeout = TimeSpan.FromSeconds(5); });
        var before = Live(("n1", T0 - Second));
        Assert.NotNull(await store.Presence.TryAddConnectionAsync(_alice, On("n1", "kept"), T0, before, default));
        Assert.NotNull(await store.Presence.TryAddConnectionAsync(_alice, On("n1", "stale"), T0, before, default));

        // n1's next round, begun at T0 + 30 s, holds only "kept" (say "stale" came back with an older snapshot).
        var roundStart = T0 + (30 * Second);
        await store.Presence.RewriteConnectionsAsync("n1", [(_alice, "kept")], roundStart, default);
        var after = Live(("n1", roundStart));
        Assert.NotNull(await store.Presence.TryAddConnectionAsync(_alice, On("n1", "new"), roundStart + 1, after, default));
        Assert.Null(await store.Presence.TryAddConnectionAsync(_alice, On("n1", "another"), roundStart + 2, after, default));

        // Everything lost (say Redis restarted empty): the next round writes back what n1 holds, and it counts again.
        await store.Presence.RemoveConnectionAsync(_alice, On("n1", "kept"), default);
        await store.Presence.RemoveConnectionAsync(_alice, On("n1", "new"), default);
        var nextRound = roundStart + (60 * Second);
        await store.Presence.RewriteConnectionsAsync("n1", [(_alice, "kept"), (_alice, "new")], nextRound, default);
        Assert.False(await store.Presence.HasRoomAsync(_alice, nextRound + (20 * Second), Live(("n1", nextRound)), default));
    }

    [Fact]
    public async Task A_heartbeat_answers_the_live_nodes_and_whether_the_store_still_held_the_previous_one()
    {
        var store = Store(o => o.NodeTimeout = TimeSpan.FromSeconds(5));
        var first = await store.Presence.HeartbeatAsync("n1", T0 - Second, previousHeartbeat: 0, T0, default);
        var other = await store.Presence.HeartbeatAsync("n2", T0, previousHeartbeat: 0, T0 + Second, default);
        var second = await store.Presence.HeartbeatAsync("n1", T0 + 500, previousHeartbeat: T0, T0 + (2 * Second), default);
        // A heartbeat whose answer was lost still ran: the store holds a later one than n1 counts on, which is fine.
        var afterLostAnswer = await store.Presence.HeartbeatAsync("n1", T0 + 500, previousHeartbeat: T0, T0 + (3 * Second), default);
        // n2 fell silent; the store holds an older heartbeat of n1 than n1's last answered one: it went back on its data.
        var late = await store.Presence.HeartbeatAsync("n1", T0 + 500, previousHeartbeat: T0 + (4 * Second), T0 + (7 * Second), default);

        Assert.True(first.StoreIntact);
        Assert.Equal([new LiveNode("n1", T0 - Second)], first.LiveNodes);
        Assert.True(other.StoreIntact);
        Assert.True(second.StoreIntact);
        Assert.Equal([new LiveNode("n1", T0 + 500), new LiveNode("n2", T0)], second.LiveNodes.OrderBy(n => n.NodeId, StringComparer.Ordinal));
        Assert.True(afterLostAnswer.StoreIntact);
        Assert.False(late.StoreIntact);
        Assert.Equal([new LiveNode("n1", T0 + 500)], late.LiveNodes);
    }
}
