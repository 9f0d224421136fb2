using RoamingHub.LoadTests;
using RoamingHub.LoadTests.Reporting;
using RoamingHub.Server.Auth;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.LoadTests;

/// <summary>
/// The side-by-side comparison of loadtests/side-by-side.sh, tiny: a few devices for a few seconds against two
/// RoamingHub nodes, two nodes of the Socket.IO peer and two of the bare-SignalR floor, each node a process of its own
/// so its CPU and GC pauses are its own. It checks that each was measured for real and the table has its column,
/// never timings: the full runs and their figures are in docs/benchmarks.md.
/// </summary>
public sealed class SideBySideSmokeTests
{
    [Fact]
    public async Task A_tiny_side_by_side_measures_both_servers_and_prints_them_in_two_columns()
    {
        var redis = RedisServer.Instance;
        var prefix = TestIds.Prefix();
        // Started one after the other: a node that fails to start then leaves none behind it.
        using var first = new NodeProcess(redis.ConnectionString, prefix);
        using var second = new NodeProcess(redis.ConnectionString, prefix);
        // Started once both nodes are owned here, so a peer that cannot start (npm packages missing) leaves no node behind.
        using var peer = await SocketIoPeer.StartAsync(redis.ConnectionString, prefix, nodes: 2);

        var ours = await RunAsync(Options(LoadTarget.RoamingHub, [first.BaseAddress, second.BaseAddress], [first.Pid, second.Pid]));
        var theirs = await RunAsync(Options(LoadTarget.SocketIo, peer.Nodes, peer.Pids), peer.Log);

        foreach (var run in new[] { ours, theirs })
        {
            Assert.Equal(24, run.Connections);
            Assert.True(run.EventsExpected > 0, run.Target);
            Assert.True(run.PerPin!.Generator > 0 && run.PerPin.Nodes.All(n => n > 0) && run.PerPin.Redis > 0, run.Target);
            Assert.True(run.PerConnect!.Servers > 0, run.Target);
            Assert.NotNull(run.PerIdleConnection30s);
            // Pauses may be none in so short a run; null would mean a process could not be watched at all.
            Assert.NotNull(run.GcMeasured!.ServerPauses);
            Assert.NotNull(run.GcMeasured.GeneratorPauses);
        }

        var table = new StringWriter();
        SideBySide.Write([ours, theirs], table);
        var text = table.ToString();
        Assert.Contains("| median [min–max] | RoamingHub (1 runs) | Socket.IO peer (1 runs) |", text, StringComparison.Ordinal);
        Assert.Contains("| event p99 ms |", text, StringComparison.Ordinal);
        Assert.Contains("| CPU µs per pin: node 2 |", text, StringComparison.Ordinal);
        Assert.Contains("| GC, measured window: node pauses |", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tiny_run_against_the_bare_SignalR_floor_delivers_every_pin_across_its_nodes_and_gets_a_column_of_its_own()
    {
        var redis = RedisServer.Instance;
        var prefix = TestIds.Prefix();
        using var first = NodeProcess.Floor(redis.ConnectionString, prefix);
        using var second = NodeProcess.Floor(redis.ConnectionString, prefix);

        // Devices go round-robin across the nodes, so most pins reach a device on the other node through the channel.
        var floor = await RunAsync(Options(LoadTarget.Floor, [first.BaseAddress, second.BaseAddress], [first.Pid, second.Pid]));

        Assert.Equal("floor", floor.Target);
        Assert.Equal(24, floor.Connections);
        Assert.True(floor.EventsExpected > 0);
        Assert.True(floor.PerPin!.Nodes.All(n => n > 0) && floor.PerConnect!.Servers > 0);
        var table = new StringWriter();
        SideBySide.Write([floor], table);
        Assert.Contains("| median [min–max] | bare SignalR (floor) (1 runs) |", table.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_peer_refuses_a_token_signed_with_another_secret()
    {
        using var peer = await SocketIoPeer.StartAsync(RedisServer.Instance.ConnectionString, TestIds.Prefix(), nodes: 1);

        var result = await LoadRunner.RunAsync(Options(LoadTarget.SocketIo, peer.Nodes, peer.Pids) with
        {
            PeerSecret = "another-secret-of-at-least-thirty-two-bytes",
            Users = 2,
            DevicesPerUser = 2,
            WarmUp = TimeSpan.Zero,
            Duration = TimeSpan.FromSeconds(0.2),
            Idle = TimeSpan.Zero,
        }, TextWriter.Null);

        Assert.Equal(0, result.Connections!.Opened);
        Assert.Equal(4, result.Connections.FailuresByCode.GetValueOrDefault("UNAUTHENTICATED"));
    }

    [Theory]
    [InlineData(new[] { 3.0 }, "3")]
    [InlineData(new[] { 3.0, 1.0, 2.0 }, "2 [1–3]")]
    [InlineData(new[] { 4.0, 1.0, 2.0, 3.0 }, "2.50 [1–4]")]
    [InlineData(new[] { 12.25, 180.4 }, "96.3 [12.3–180]")]
    public void A_cell_is_the_median_and_the_range_of_the_runs(double[] values, string cell) =>
        Assert.Equal(cell, SideBySide.Cell(values));

    private static LoadOptions Options(LoadTarget target, IReadOnlyList<Uri> nodes, IReadOnlyList<int> pids) => new()
    {
        Scenario = LoadScenario.PinFanout,
        Target = target,
        Nodes = nodes,
        ServerPids = pids,
        AdminApiKey = AuthOptions.SampleAdminApiKey,
        PeerSecret = SocketIoPeer.Secret,
        Users = 8,
        DevicesPerUser = 3,
        Rate = 40,
        RampRate = 200,
        WarmUp = TimeSpan.FromSeconds(0.5),
        Duration = TimeSpan.FromSeconds(2),
        Idle = TimeSpan.FromSeconds(1),
        Drain = TimeSpan.FromSeconds(5),
        Redis = RedisServer.Instance.ConnectionString,
        RedisBenchmark = false,
        RoundTripProbe = false,
    };

    /// <summary>Runs one side and fails with the printed report when anything failed, was lost or was duplicated.</summary>
    private static async Task<RunSummary> RunAsync(LoadOptions options, string? serverLog = null)
    {
        var result = await LoadRunner.RunAsync(options, TextWriter.Null);
        var report = new StringWriter();
        ReportWriter.Write(result, report);

        Assert.True(result.Errors == 0 && result.Lost == 0 && result.Duplicated == 0, report + (serverLog ?? ""));
        return result.Summary!;
    }
}
