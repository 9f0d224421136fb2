using RoamingHub.LoadTests;
using RoamingHub.LoadTests.Reporting;
using RoamingHub.Server.Auth;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.LoadTests;

/// <summary>
/// Each load scenario, run for a second or two with a few dozen connections against real nodes on Redis, so the load
/// generator keeps working as the server changes. They check what must hold at any load (nothing failed, lost or
/// duplicated), never timings: the full runs and their figures are in docs/benchmarks.md.
/// </summary>
public sealed class LoadScenarioSmokeTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(1.5);

    [Fact]
    public async Task Connections_are_opened_held_and_answer_with_none_failing()
    {
        await using var node = RoamingNode.OnRedis(TestIds.Prefix());
        var result = await RunAsync(Options(LoadScenario.Connections, node) with { Connections = 40, RampRate = 200, Duration = TimeSpan.FromSeconds(1) });

        Assert.Equal(40, result.Connections!.Opened);
        Assert.Equal(40, result.Operations.Single().Succeeded);
    }

    [Fact]
    public async Task Pin_fanout_delivers_every_event_once_to_each_other_device()
    {
        await using var node = RoamingNode.OnRedis(TestIds.Prefix());
        var result = await RunAsync(Options(LoadScenario.PinFanout, node) with { Users = 12, DevicesPerUser = 3, Rate = 60 });

        var events = result.Deliveries.Single();
        Assert.True(events.Expected > 0);
        Assert.Equal(events.Expected, events.Received);
    }

    [Fact]
    public async Task Pin_fanout_across_two_nodes_delivers_every_event_once()
    {
        var prefix = TestIds.Prefix();
        await using var first = RoamingNode.OnRedis(prefix);
        await using var second = RoamingNode.OnRedis(prefix);
        var result = await RunAsync(Options(LoadScenario.PinFanout, first) with
        {
            Nodes = [first.BaseAddress, second.BaseAddress],
            Users = 12,
            DevicesPerUser = 3,
            Rate = 60,
        });

        var events = result.Deliveries.Single();
        Assert.True(events.Expected > 0);
        Assert.Equal(events.Expected, events.Received);
    }

    [Fact]
    public async Task Messages_reach_every_device_of_both_sides_once()
    {
        await using var node = RoamingNode.OnRedis(TestIds.Prefix());
        var result = await RunAsync(Options(LoadScenario.Messages, node) with { Users = 12, DevicesPerUser = 2, Rate = 60 });

        Assert.Equal(2, result.Deliveries.Count);
        Assert.All(result.Deliveries, d => Assert.True(d.Expected > 0 && d.Received == d.Expected, d.Name));
    }

    [Fact]
    public async Task Messages_reach_every_device_while_some_recipients_never_read()
    {
        // The devices that never read are one per user for the first four users: every other device's figures hold.
        // (Their overflow and close is proven in Reliability/SlowReaderTests; a smoke run is too short to fill them.)
        await using var node = RoamingNode.OnRedis(TestIds.Prefix());
        var result = await RunAsync(Options(LoadScenario.Messages, node) with { Users = 12, DevicesPerUser = 2, Rate = 60, BodyBytes = 4096, StuckReaders = 4 });

        Assert.Equal(2, result.Deliveries.Count);
        Assert.All(result.Deliveries, d => Assert.True(d.Expected > 0 && d.Received == d.Expected, d.Name));
    }

    [Fact]
    public async Task Fetch_reads_full_pages_and_counts_redis_commands_per_operation()
    {
        await using var node = RoamingNode.OnRedis(TestIds.Prefix());
        var result = await RunAsync(Options(LoadScenario.Fetch, node) with
        {
            Users = 8,
            ConversationsPerUser = 4,
            MessagesPerConversation = 60,
            ConversationsRate = 60,
            HistoryRate = 60,
            Duration = TimeSpan.FromSeconds(1),
            Redis = RedisServer.Instance.ConnectionString,
            RedisBenchmark = false,
        });

        Assert.Equal(["FetchConversations", "FetchHistoryMessages"], result.Operations.Select(o => o.Name));
        Assert.All(result.Operations, o => Assert.True(o.Succeeded > 0, o.Name));
        Assert.True(result.RedisCost["FetchConversations"].ScriptCallsPerOperation >= 1);
    }

    [Fact]
    public async Task Group_messages_reach_every_other_device_of_every_member_once()
    {
        // Two groups of six, made through the admin API; the send limit's defaults are far above what this sends.
        await using var node = RoamingNode.OnRedis(TestIds.Prefix());
        var result = await RunAsync(Options(LoadScenario.GroupMessages, node) with { Users = 12, DevicesPerUser = 2, GroupSize = 6, Rate = 20 });

        var delivery = Assert.Single(result.Deliveries);
        Assert.True(delivery.Expected > 0 && delivery.Received == delivery.Expected, delivery.Name);
        // Each message goes to the other eleven devices of its group: five members' two and the sender's other one.
        Assert.Equal(11 * result.Operations.Single().Succeeded, delivery.Expected);
    }

    [Fact]
    public async Task One_sender_flooding_a_group_is_held_to_their_send_limit_and_loses_nothing()
    {
        // A message to a group of six costs 6: the user may send two at once, then one every six seconds, longer than
        // the run even on a slow machine; the groups' own buckets are far above it, so only the sender's binds.
        // Twelve random senders would each get their two.
        await using var node = RoamingNode.OnRedis(TestIds.Prefix(), new Dictionary<string, string?>
        {
            ["Roaming:RateLimit:SendCostPerUserBurst"] = "12",
            ["Roaming:RateLimit:SendCostPerUserPerSecond"] = "1",
            ["Roaming:RateLimit:SendCostPerGroupBurst"] = "100000",
            ["Roaming:RateLimit:SendCostPerGroupPerSecond"] = "100000",
        });
        var options = Options(LoadScenario.GroupMessages, node) with
        {
            Users = 12, DevicesPerUser = 2, GroupSize = 6, Senders = 1, Rate = 20, WarmUp = TimeSpan.Zero,
        };

        var result = await LoadRunner.RunAsync(options, TextWriter.Null);

        // 30 sends offered in 1.5 s: two from the burst (a third only if the sends took over six seconds), every
        // other one refused.
        var report = new StringWriter();
        ReportWriter.Write(result, report);
        var sends = Assert.Single(result.Operations);
        Assert.InRange(sends.Succeeded, 2, 3);
        Assert.Equal(["RATE_LIMITED"], sends.ErrorsByCode.Keys);
        Assert.True(result.Lost == 0 && result.Duplicated == 0, report.ToString());
        // Each accepted message reaches the other eleven devices of the group once.
        var delivery = Assert.Single(result.Deliveries);
        Assert.True(delivery.Expected > 0 && delivery.Expected % 11 == 0 && delivery.Received == delivery.Expected, delivery.Name);
    }

    [Fact]
    public async Task Mixed_load_loses_and_fails_nothing()
    {
        await using var node = RoamingNode.OnRedis(TestIds.Prefix());
        var result = await RunAsync(Options(LoadScenario.Mixed, node) with { Users = 12, DevicesPerUser = 2, Rate = 80 });

        Assert.Equal(4, result.Operations.Count);
        Assert.All(result.Operations, o => Assert.True(o.Succeeded > 0, o.Name));
    }

    [Theory]
    [InlineData("http://10.0.0.1:5080")]
    [InlineData("http://192.168.1.10:5080")]
    [InlineData("http://example.com")]
    public void Targets_off_loopback_are_refused(string url)
    {
        var options = new LoadOptions { Scenario = LoadScenario.PinFanout, Nodes = [new Uri(url)] };

        Assert.Throws<ArgumentException>(() => options.ForScenario());
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080")]
    [InlineData("http://127.8.9.10:5080")]
    [InlineData("http://localhost:5080")]
    [InlineData("http://[::1]:5080")]
    public void Loopback_targets_are_accepted(string url)
    {
        var options = new LoadOptions { Scenario = LoadScenario.PinFanout, Nodes = [new Uri(url)] };

        Assert.Equal(url.TrimEnd('/') + "/", options.ForScenario().Nodes.Single().ToString());
    }

    private static LoadOptions Options(LoadScenario scenario, RoamingNode node) => new()
    {
        Scenario = scenario,
        Nodes = [node.BaseAddress],
        AdminApiKey = AuthOptions.SampleAdminApiKey,
        WarmUp = TimeSpan.FromSeconds(0.5),
        Duration = Short,
        Drain = TimeSpan.FromSeconds(5),
        RampRate = 200,
    };

    /// <summary>Runs the scenario and fails with the printed report when anything failed, was lost or was duplicated.</summary>
    private static async Task<LoadResult> RunAsync(LoadOptions options)
    {
        var result = await LoadRunner.RunAsync(options, TextWriter.Null);
        var report = new StringWriter();
        ReportWriter.Write(result, report);

        Assert.True(result.Errors == 0 && result.Lost == 0 && result.Duplicated == 0, report.ToString());
        return result;
    }
}
