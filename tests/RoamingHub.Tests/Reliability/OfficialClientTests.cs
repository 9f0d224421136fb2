using System.Diagnostics;
using Microsoft.AspNetCore.SignalR.Client;
using RoamingHub.Client;
using RoamingHub.Contracts;
using RoamingHub.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RoamingHub.Tests.Reliability;

/// <summary>
/// What the official clients, as apps use them by default, go through while connecting: the .NET
/// <see cref="RoamingHubClient"/> and the plain JavaScript SignalR client with its default automatic reconnect
/// (tests/js-clients). A store that stalls while they connect is a passing failure they get over by themselves; a
/// refusal reaches them before they count themselves connected.
/// </summary>
public sealed class OfficialClientTests(ITestOutputHelper output)
{
    /// <summary>A correctness bound, not a timing target: a client that gave up never gets there.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Every_official_client_that_connects_while_Redis_is_paused_for_3_s_ends_up_connected_once_Redis_is_back()
    {
        var pause = TimeSpan.FromSeconds(3);
        await using var scenario = await PausedRedis.StartAsync(users: 4, withJavaScript: true);

        scenario.PauseAndConnectAll();
        // The fault itself: Redis answers nothing for 3 s while every device is connecting.
        await Task.Delay(pause);
        var resumed = scenario.Resume();

        var connectedAfter = await scenario.AssertEveryDeviceConnectedAsync();
        output.WriteLine($"Redis paused {pause.TotalSeconds} s while {scenario.Users} .NET and {scenario.Users} JavaScript devices connected: "
            + $"every device answered GetSyncState {connectedAfter.TotalSeconds:F1} s after the pause began ({(connectedAfter - resumed).TotalSeconds:F1} s after Redis was back).");
        output.WriteLine(scenario.Describe());
    }

    [Fact]
    public async Task RoamingHubClients_the_server_closed_for_a_reconnect_while_Redis_was_paused_connect_by_themselves_once_it_is_back()
    {
        // .NET devices only: a pause held this long (each close comes after store timeouts) can outlast the JavaScript
        // client's default reconnect waits (0, 2, 10, 30 s), after which it gives up by design; the next test has it.
        await using var scenario = await PausedRedis.StartAsync(users: 3, withJavaScript: false);

        scenario.PauseAndConnectAll();
        // Redis stays paused until the server has closed every client for a reconnect (it could not admit it), so
        // StartAsync certainly had to try again; a 3 s pause is mostly absorbed by the server.
        await scenario.WaitUntilEveryDotnetClientWasClosedForAReconnectAsync();
        var resumed = scenario.Resume();

        var connectedAfter = await scenario.AssertEveryDeviceConnectedAsync();
        output.WriteLine($"Redis paused {resumed.TotalSeconds:F1} s, until each of {scenario.Users} .NET devices had been closed for a reconnect: "
            + $"every device answered GetSyncState {(connectedAfter - resumed).TotalSeconds:F1} s after Redis was back.");
        output.WriteLine(scenario.Describe());
    }

    [Fact]
    public async Task Official_clients_the_server_closed_for_a_reconnect_while_Redis_was_down_connect_by_themselves_once_it_is_back()
    {
        await using var scenario = await PausedRedis.StartAsync(users: 3, withJavaScript: true);

        // Down rather than stalled: every store call fails at once, so the server closes each new connection for a
        // reconnect after its admission patience, well after the handshake, and the JavaScript client reconnects.
        scenario.StopAndConnectAll();
        await scenario.WaitUntilEveryDeviceWasClosedForAReconnectAsync();
        var restarted = scenario.Restart();

        var connectedAfter = await scenario.AssertEveryDeviceConnectedAsync();
        output.WriteLine($"Redis down {restarted.TotalSeconds:F1} s, until each of {scenario.Users} .NET and {scenario.Users} JavaScript devices had been closed for a reconnect: "
            + $"every device answered GetSyncState {(connectedAfter - restarted).TotalSeconds:F1} s after Redis was back.");
        output.WriteLine(scenario.Describe());
    }

    [Fact]
    public async Task A_device_beyond_MaxConnectionsPerUser_is_refused_with_CONNECTION_LIMIT_EXCEEDED_before_its_start_completes()
    {
        using var node = RoamingNode.OnRedis(TestIds.Prefix(), new Dictionary<string, string?> { ["Roaming:MaxConnectionsPerUser"] = "2" });
        var user = TestIds.User("alice");
        var token = await node.IssueTokenAsync(user);
        await using var phone = await node.ConnectAsync(user, "phone");
        await using var laptop = await node.ConnectAsync(user, "laptop");
        await using var tablet = new RoamingHubClient(new RoamingHubClientOptions
        {
            ServerUrl = node.BaseAddress,
            AccessTokenProvider = () => Task.FromResult<string?>(token),
            DeviceId = "tablet",
        });
        using var patience = new CancellationTokenSource(Patience);

        // With default options StartAsync retries what may pass; a refusal must end it at once, with its code.
        var refusal = await Assert.ThrowsAsync<RoamingHubException>(() => tablet.StartAsync(patience.Token));

        Assert.Equal(ErrorCodes.ConnectionLimitExceeded, refusal.Code);
        Assert.Equal(409, refusal.StatusCode);
        Assert.Equal(HubConnectionState.Disconnected, tablet.Connection.State);

        // The plain JavaScript client is refused before its start() resolves too: it never counts itself connected.
        using var js = await JsDevices.StartAsync();
        js.Open([(node.BaseAddress, "js-tablet", token)]);
        await js.WaitUntilAsync(events => events.Any(e => e.Event is "startFailed" or "connected"), Patience, "the JavaScript device's start to end");
        var started = Assert.Single(js.Events, e => e.Event is "startFailed" or "connected");
        Assert.Equal("startFailed", started.Event);
        Assert.Contains("409", started.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// A dedicated redis-server with two nodes on it, and per user a .NET device (defaults) on one node and,
    /// optionally, a JavaScript device (default automatic reconnect) on the other, none connected yet.
    /// </summary>
    private sealed class PausedRedis : IAsyncDisposable
    {
        private readonly RedisServer _redis = RedisServer.StartDedicated(durable: false);
        private readonly List<RoamingNode> _nodes = [];
        private readonly List<RoamingHubClient> _dotnet = [];
        private readonly List<(Uri Node, string Name, string Token)> _js = [];
        private readonly CancellationTokenSource _patience = new();
        private int[] _attempts = [];
        private int[] _closedForReconnect = [];
        private int[] _closed = [];
        private List<Task<TimeSpan>> _starts = [];
        private JsDevices? _jsDevices;
        private long _pausedAt;
        private long _pausedAtUnixMs;

        public int Users => _dotnet.Count;

        public static async Task<PausedRedis> StartAsync(int users, bool withJavaScript)
        {
            var scenario = new PausedRedis();
            try
            {
                await scenario.SetUpAsync(users, withJavaScript);
                return scenario;
            }
            catch
            {
                // A scenario that could not be set up (no npm packages for the JavaScript devices, say) still stops
                // the nodes and redis-server it started, so a failed test leaves no process behind.
                await scenario.DisposeAsync();
                throw;
            }
        }

        private async Task SetUpAsync(int users, bool withJavaScript)
        {
            var prefix = TestIds.Prefix();
            var settings = new Dictionary<string, string?>
            {
                ["ConnectionStrings:Redis"] = _redis.ConnectionString + ",connectTimeout=500",
                ["Roaming:RedisKeyPrefix"] = prefix,
                // Each user's two devices fill the limit, so a record a stalled admission left behind would refuse one.
                ["Roaming:MaxConnectionsPerUser"] = "2",
            };
            // One at a time, so a second node that fails to start leaves the first one owned (and disposed) here.
            _nodes.Add(new RoamingNode(settings));
            _nodes.Add(new RoamingNode(settings));
            var nodes = _nodes.Select(n => n.BaseAddress).ToList();
            var tokens = await Task.WhenAll(Enumerable.Range(0, users).Select(i => _nodes[0].IssueTokenAsync(TestIds.User($"u{i}"))));
            _attempts = new int[users];
            _closedForReconnect = new int[users];
            _closed = new int[users];
            for (var i = 0; i < users; i++)
            {
                var user = i;
                var client = new RoamingHubClient(new RoamingHubClientOptions
                {
                    ServerUrl = nodes[user % 2],
                    // Asked once per attempt to open a WebSocket, so it counts StartAsync's attempts.
                    AccessTokenProvider = () =>
                    {
                        Interlocked.Increment(ref _attempts[user]);
                        return Task.FromResult<string?>(tokens[user]);
                    },
                    DeviceId = "dotnet",
                });
                // The server closed the new connection with allowReconnect; StartAsync then stops it and tries again.
                client.Connection.Reconnecting += _ =>
                {
                    Interlocked.Increment(ref _closedForReconnect[user]);
                    return Task.CompletedTask;
                };
                // Only for the output: every end of a connection that was open, whether the server closed it for a
                // reconnect first or not. More of these than closes for a reconnect means attempts that opened and
                // ended another way; attempts beyond these, the one that succeeded and any that never opened.
                client.Connection.Closed += _ =>
                {
                    Interlocked.Increment(ref _closed[user]);
                    return Task.CompletedTask;
                };
                _dotnet.Add(client);
                if (withJavaScript)
                {
                    _js.Add((nodes[(user + 1) % 2], $"js{user}", tokens[user]));
                }
            }

            _jsDevices = withJavaScript ? await JsDevices.StartAsync() : null;
        }

        /// <summary>Pauses Redis, then has every device start connecting.</summary>
        public void PauseAndConnectAll() => FailAndConnectAll(_redis.Pause);

        /// <summary>Stops Redis (SIGKILL), then has every device start connecting.</summary>
        public void StopAndConnectAll() => FailAndConnectAll(_redis.Kill);

        /// <summary>Injects the fault, starts the clock, then has every device start connecting.</summary>
        private void FailAndConnectAll(Action fault)
        {
            fault();
            _pausedAt = Stopwatch.GetTimestamp();
            _pausedAtUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            _patience.CancelAfter(Patience * 2);
            _jsDevices?.Open(_js);
            _starts = _dotnet.Select(StartAsync).ToList();
        }

        /// <summary>Starts Redis again; returns how long after it stopped.</summary>
        public TimeSpan Restart()
        {
            _redis.Start();
            return Stopwatch.GetElapsedTime(_pausedAt);
        }

        /// <summary>Waits until the server closed every device, .NET and JavaScript, for a reconnect at least once.</summary>
        public async Task WaitUntilEveryDeviceWasClosedForAReconnectAsync()
        {
            await WaitUntilEveryDotnetClientWasClosedForAReconnectAsync();
            if (_jsDevices is { } js)
            {
                await js.WaitUntilAsync(
                    events => _js.All(d => events.Any(e => e.Device == d.Name && e.Event == "reconnecting")) || events.Any(e => e.Event is "closed" or "startFailed"),
                    Patience,
                    "every JavaScript device to be closed for a reconnect");
                Assert.False(js.Events.Any(e => e.Event is "closed" or "startFailed"), "A JavaScript device was refused or gave up:\n" + js.Describe());
            }
        }

        /// <summary>Lets Redis go on; returns how long after the pause began.</summary>
        public TimeSpan Resume()
        {
            _redis.Resume();
            return Stopwatch.GetElapsedTime(_pausedAt);
        }

        public async Task WaitUntilEveryDotnetClientWasClosedForAReconnectAsync()
        {
            var deadline = Stopwatch.StartNew();
            while (Enumerable.Range(0, Users).Any(i => Volatile.Read(ref _closedForReconnect[i]) < 1 || Volatile.Read(ref _attempts[i]) < 2))
            {
                Assert.True(deadline.Elapsed < Patience, $"A .NET device was not closed for a reconnect, or did not try again, while Redis was paused: {Describe()}.");
                if (_starts.FirstOrDefault(s => s.IsCompleted) is { } ended)
                {
                    await ended;
                    Assert.Fail("A .NET device was started while Redis was paused.");
                }

                await Task.Delay(50);
            }
        }

        /// <summary>
        /// Every device ends up connected and answers GetSyncState, and none was refused or gave up; returns when the
        /// last of them answered, counted from the pause.
        /// </summary>
        public async Task<TimeSpan> AssertEveryDeviceConnectedAsync()
        {
            var dotnetTimes = await Task.WhenAll(_starts);
            foreach (var client in _dotnet)
            {
                Assert.Equal(HubConnectionState.Connected, client.Connection.State);
                Assert.Equal(0, (await client.GetSyncStateAsync(_patience.Token)).LastSeq);
            }

            if (_jsDevices is not { } js)
            {
                return dotnetTimes.Max();
            }

            // Ends early when a device gives up: the assertion below then says which.
            await js.WaitUntilAsync(
                events => _js.All(d => AnsweredSinceLastDrop(events, d.Name)) || events.Any(e => e.Event is "closed" or "startFailed"),
                Patience,
                "every JavaScript device to answer GetSyncState");
            var events = js.Events;
            Assert.False(events.Any(e => e.Event is "closed" or "startFailed"), "A JavaScript device was refused or gave up:\n" + js.Describe());
            Assert.All(events.Where(e => e.Event == "syncState"), e => Assert.Equal(0, e.LastSeq));
            var jsTimes = _js.Select(d => TimeSpan.FromMilliseconds(events.Last(e => e.Device == d.Name && e.Event == "syncState").At - _pausedAtUnixMs));
            return dotnetTimes.Concat(jsTimes).Max();
        }

        /// <summary>What each device went through, for the test's output.</summary>
        public string Describe()
        {
            var dotnet = $".NET devices: StartAsync attempts {string.Join(", ", _attempts)}, closes for a reconnect {string.Join(", ", _closedForReconnect)}, ends of an open connection {string.Join(", ", _closed)}";
            var events = _jsDevices?.Events ?? [];
            return _js.Count == 0
                ? dotnet
                : $"{dotnet}; JavaScript devices: closes for a reconnect {string.Join(", ", _js.Select(d => events.Count(e => e.Device == d.Name && e.Event == "reconnecting")))}";
        }

        public async ValueTask DisposeAsync()
        {
            // Resumed first: nodes and clients that stop while Redis is paused wait on it.
            _redis.Resume();
            foreach (var client in _dotnet)
            {
                await client.DisposeAsync();
            }

            _jsDevices?.Dispose();
            foreach (var node in _nodes)
            {
                node.Dispose();
            }

            _redis.Dispose();
            _patience.Dispose();
        }

        private async Task<TimeSpan> StartAsync(RoamingHubClient client)
        {
            await client.StartAsync(_patience.Token);
            return Stopwatch.GetElapsedTime(_pausedAt);
        }

        /// <summary>Whether the device answered GetSyncState after it last lost its connection (or at all, if it never did).</summary>
        private static bool AnsweredSinceLastDrop(IReadOnlyList<JsDeviceEvent> events, string device)
        {
            var own = events.Where(e => e.Device == device).ToList();
            var lastDrop = own.FindLastIndex(e => e.Event is "reconnecting" or "closed" or "startFailed");
            return own.Skip(lastDrop + 1).Any(e => e.Event == "syncState");
        }
    }
}
