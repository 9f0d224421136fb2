using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using RoamingHub.Client;
using RoamingHub.Contracts;
using RoamingHub.Server.Storage.Redis;
using RoamingHub.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace RoamingHub.Tests.Reliability;

/// <summary>
/// Presence that heals, with faults injected for real: a SIGKILLed node, Redis restored from an older snapshot,
/// records deleted in Redis. A user's places in the connection count follow the connections that really exist.
/// </summary>
public sealed class PresenceTests(ITestOutputHelper output)
{
    private const int Limit = 3;

    /// <summary>
    /// A correctness bound, not a timing target (the figures are in docs/reliability.md): well below the rewrite
    /// interval the nodes get here, so only the heartbeat and its detection of lost data can meet it.
    /// </summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private const string RewriteInterval = "00:10:00";

    private static Dictionary<string, string?> Settings(string redis, string prefix, params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = redis + ",connectTimeout=500",
            ["Roaming:RedisKeyPrefix"] = prefix,
            ["Roaming:MaxConnectionsPerUser"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Roaming:PresenceRewriteInterval"] = RewriteInterval,
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    [Fact]
    public async Task A_user_at_the_limit_on_a_node_that_is_SIGKILLed_gets_every_device_admitted_on_the_other_node_within_seconds()
    {
        var prefix = TestIds.Prefix();
        var user = TestIds.User("killed");
        using var doomed = new NodeProcess(RedisServer.Instance.ConnectionString, prefix, new Dictionary<string, string> { ["Roaming__MaxConnectionsPerUser"] = $"{Limit}", ["Roaming__PresenceRewriteInterval"] = RewriteInterval });
        using var survivor = new RoamingNode(Settings(RedisServer.Instance.ConnectionString, prefix));
        var devices = new List<RoamingHubClient>();
        for (var i = 0; i < Limit; i++)
        {
            devices.Add(await RoamingNode.ConnectAsync(doomed.BaseAddress, user, $"d{i}"));
        }

        // The count holds across nodes: the other node refuses a fourth device.
        Assert.Null(await TryConnectAsync(survivor.BaseAddress, user, "d-extra"));

        var clock = Stopwatch.StartNew();
        doomed.Kill();
        var admitted = await AdmitAllAsync(survivor.BaseAddress, user, Limit, clock);
        output.WriteLine($"all {Limit} devices admitted on the other node {clock.Elapsed.TotalSeconds:F1} s after the SIGKILL");

        Assert.Equal(Limit, admitted.Count);
        await DisposeAllAsync([.. devices, .. admitted]);
    }

    [Fact]
    public async Task After_Redis_is_restored_from_an_older_snapshot_the_users_devices_are_admitted_again_at_once()
    {
        using var redis = RedisServer.StartDedicated(durable: false);
        var prefix = TestIds.Prefix();
        var user = TestIds.User("restored");
        using var node = new RoamingNode(Settings(redis.ConnectionString, prefix));

        // The snapshot is taken while two devices are connected; they then close.
        var earlier = new[] { await node.ConnectAsync(user, "old1"), await node.ConnectAsync(user, "old2") };
        var snapshot = redis.TakeSnapshot();
        await DisposeAllAsync(earlier);
        var keys = new RedisKeys(prefix);
        await WaitUntilAsync(async () => await redis.Multiplexer.GetDatabase().SortedSetLengthAsync(keys.Connections(user)) == 0);

        redis.Kill();
        redis.RestoreSnapshot(snapshot);
        redis.Start();
        var clock = Stopwatch.StartNew();
        Assert.Equal(2, await redis.Multiplexer.GetDatabase().SortedSetLengthAsync(keys.Connections(user)));

        var admitted = await AdmitAllAsync(node.BaseAddress, user, Limit, clock);
        output.WriteLine($"all {Limit} devices admitted {clock.Elapsed.TotalSeconds:F1} s after Redis came back from the older snapshot");

        Assert.Equal(Limit, admitted.Count);
        await DisposeAllAsync(admitted);
    }

    [Fact]
    public async Task Records_deleted_in_Redis_come_back_and_count_again()
    {
        var prefix = TestIds.Prefix();
        var user = TestIds.User("lost");
        using var node = new RoamingNode(Settings(RedisServer.Instance.ConnectionString, prefix));
        var devices = new List<RoamingHubClient>();
        for (var i = 0; i < Limit; i++)
        {
            devices.Add(await node.ConnectAsync(user, $"d{i}"));
        }

        var db = RedisServer.Instance.Multiplexer.GetDatabase();
        var keys = new RedisKeys(prefix);
        // Lost as a restart without persistence loses them: the records and the node table together.
        var clock = Stopwatch.StartNew();
        await db.KeyDeleteAsync([keys.Connections(user), keys.Nodes]);
        await WaitUntilAsync(async () => await db.SortedSetLengthAsync(keys.Connections(user)) == Limit);
        output.WriteLine($"{Limit} records back {clock.Elapsed.TotalSeconds:F1} s after they were deleted");

        Assert.Null(await TryConnectAsync(node.BaseAddress, user, "d-extra"));
        await DisposeAllAsync(devices);
    }

    [Fact]
    public async Task At_the_limit_the_WebSocket_request_and_the_negotiate_request_are_refused_with_the_code_before_any_handshake()
    {
        var user = TestIds.User("refused");
        using var node = new RoamingNode(Settings(RedisServer.Instance.ConnectionString, TestIds.Prefix()));
        var devices = new List<RoamingHubClient>();
        for (var i = 0; i < Limit; i++)
        {
            devices.Add(await node.ConnectAsync(user, $"d{i}"));
        }

        using var http = node.CreateHttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await node.IssueTokenAsync(user));
        using var negotiate = await http.PostAsync($"{RoamingProtocol.HubPath}/negotiate?negotiateVersion=1", content: null);
        using var upgrade = new System.Net.WebSockets.ClientWebSocket();
        upgrade.Options.CollectHttpResponseDetails = true;
        upgrade.Options.SetRequestHeader("Authorization", http.DefaultRequestHeaders.Authorization.ToString());
        var wsUri = new UriBuilder(node.BaseAddress) { Scheme = "ws", Path = RoamingProtocol.HubPath }.Uri;
        await Assert.ThrowsAnyAsync<System.Net.WebSockets.WebSocketException>(() => upgrade.ConnectAsync(wsUri, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Conflict, negotiate.StatusCode);
        Assert.Equal(ErrorCodes.ConnectionLimitExceeded, negotiate.Headers.GetValues(RoamingProtocol.ErrorCodeHeader).Single());
        Assert.Contains(ErrorCodes.ConnectionLimitExceeded, await negotiate.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, upgrade.HttpStatusCode);
        Assert.Equal([ErrorCodes.ConnectionLimitExceeded], upgrade.HttpResponseHeaders![RoamingProtocol.ErrorCodeHeader]);

        // With a place free, both go through.
        await devices[0].DisposeAsync();
        await WaitUntilAsync(async () =>
        {
            using var again = await http.PostAsync($"{RoamingProtocol.HubPath}/negotiate?negotiateVersion=1", content: null);
            return again.StatusCode == HttpStatusCode.OK;
        });
        await DisposeAllAsync(devices.Skip(1));
    }

    [Fact]
    public async Task A_client_cannot_skip_admission_by_naming_an_admitted_record_in_any_spelling()
    {
        var user = TestIds.User("forger");
        using var node = new RoamingNode(Settings(RedisServer.Instance.ConnectionString, TestIds.Prefix(), ("Roaming:MaxConnectionsPerUser", "1")));
        var token = await node.IssueTokenAsync(user);
        HubConnection Forged(string name, HttpTransportType transport) => new HubConnectionBuilder()
            .WithUrl($"{node.BaseAddress}hubs/roaming?{name}=forged", o =>
            {
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                o.Transports = transport;
                o.SkipNegotiation = transport == HttpTransportType.WebSockets;
            })
            .Build();

        // The first forged connection is admitted as any other, so it takes the user's one place.
        await using var first = Forged("RoamingHub-Admitted", HttpTransportType.LongPolling);
        await first.StartAsync();
        // Long polling is admitted after its handshake: a call is answered only once that is done.
        await first.InvokeAsync<SyncState>(HubMethods.GetSyncState);
        foreach (var (name, transport) in new[]
        {
            ("ROAMINGHUB-ADMITTED", HttpTransportType.LongPolling), ("roaminghub-admitted", HttpTransportType.LongPolling),
            ("ROAMINGHUB-ADMITTED", HttpTransportType.WebSockets), ("roaminghub-admitted", HttpTransportType.WebSockets),
        })
        {
            await using var forged = Forged(name, transport);
            var refused = await Assert.ThrowsAnyAsync<Exception>(() => forged.StartAsync());
            Assert.Contains("409", refused.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>Connects the user's devices one by one, each retried while refused, until all are in or the bound has passed.</summary>
    private static async Task<List<RoamingHubClient>> AdmitAllAsync(Uri node, string user, int count, Stopwatch clock)
    {
        var admitted = new List<RoamingHubClient>();
        while (admitted.Count < count && clock.Elapsed < Bound)
        {
            if (await TryConnectAsync(node, user, $"new{admitted.Count}") is { } client)
            {
                admitted.Add(client);
            }
            else
            {
                await Task.Delay(200);
            }
        }

        return admitted;
    }

    /// <summary>
    /// A started client, or null when it did not come up: refused at the limit, or (right after a fault) closed for a
    /// reconnect because the node could not reach Redis yet.
    /// </summary>
    private static async Task<RoamingHubClient?> TryConnectAsync(Uri node, string user, string device)
    {
        try
        {
            return await RoamingNode.ConnectAsync(node, user, device);
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            return null;
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < Bound, "The condition did not hold within the bound.");
            await Task.Delay(100);
        }
    }

    private static async Task DisposeAllAsync(IEnumerable<RoamingHubClient> clients)
    {
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }
}
