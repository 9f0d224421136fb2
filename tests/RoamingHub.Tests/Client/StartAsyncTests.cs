using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using RoamingHub.Client;
using RoamingHub.Contracts;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Client;

/// <summary>
/// StartAsync against real sockets: a refusal ends it at once with its code, a failure that may pass is tried again
/// per the reconnect policy. A gate in front of the node answers WebSocket upgrades as a refusing (or overloaded)
/// server does; the token provider is asked once per attempt, so its calls count the attempts.
/// </summary>
public sealed class StartAsyncTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_refused_upgrade_throws_its_code_at_once_and_leaves_the_client_disconnected()
    {
        var gate = new UpgradeGate(HttpStatusCode.Conflict, ErrorCodes.ConnectionLimitExceeded, refusals: int.MaxValue);
        using var node = gate.Node();
        var attempts = 0;
        await using var client = Client(node.BaseAddress, await node.IssueTokenAsync(TestIds.User("alice")), () => attempts++);
        using var patience = new CancellationTokenSource(Patience);

        var refusal = await Assert.ThrowsAsync<RoamingHubException>(() => client.StartAsync(patience.Token));

        Assert.Equal(ErrorCodes.ConnectionLimitExceeded, refusal.Code);
        Assert.Equal(409, refusal.StatusCode);
        Assert.StartsWith("CONNECTION_LIMIT_EXCEEDED: ", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(1, attempts);
        Assert.Equal(1, gate.Upgrades);
        Assert.Equal(Microsoft.AspNetCore.SignalR.Client.HubConnectionState.Disconnected, client.Connection.State);
    }

    [Fact]
    public async Task A_bad_token_is_refused_as_UNAUTHENTICATED_without_another_attempt()
    {
        using var node = new RoamingNode();
        var attempts = 0;
        await using var client = Client(node.BaseAddress, "not-a-token", () => attempts++);
        using var patience = new CancellationTokenSource(Patience);

        var refusal = await Assert.ThrowsAsync<RoamingHubException>(() => client.StartAsync(patience.Token));

        Assert.Equal(ErrorCodes.Unauthenticated, refusal.Code);
        Assert.Equal(401, refusal.StatusCode);
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task Server_errors_on_the_upgrade_are_tried_again_until_the_server_lets_the_device_in()
    {
        var gate = new UpgradeGate(HttpStatusCode.ServiceUnavailable, code: null, refusals: 2);
        using var node = gate.Node();
        var attempts = 0;
        await using var client = Client(node.BaseAddress, await node.IssueTokenAsync(TestIds.User("alice")), () => attempts++, delays: Delays(5));
        using var patience = new CancellationTokenSource(Patience);

        await client.StartAsync(patience.Token);

        Assert.Equal(3, attempts);
        Assert.Equal(3, gate.Upgrades);
        Assert.Equal(0, (await client.GetSyncStateAsync()).LastSeq);
    }

    [Fact]
    public async Task Listed_delays_are_waited_in_turn_and_then_StartAsync_gives_up_with_the_last_failure()
    {
        var attempts = 0;
        await using var client = Client(NothingListening(), "token", () => attempts++, delays: Delays(3));
        using var patience = new CancellationTokenSource(Patience);

        await Assert.ThrowsAsync<WebSocketException>(() => client.StartAsync(patience.Token));

        Assert.Equal(4, attempts);
    }

    [Fact]
    public async Task With_AutomaticReconnect_off_StartAsync_tries_once()
    {
        var attempts = 0;
        await using var client = Client(NothingListening(), "token", () => attempts++, delays: Delays(3), reconnect: false);
        using var patience = new CancellationTokenSource(Patience);

        await Assert.ThrowsAsync<WebSocketException>(() => client.StartAsync(patience.Token));

        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task By_default_StartAsync_keeps_trying_until_it_is_cancelled()
    {
        using var cancel = new CancellationTokenSource(Patience);
        var attempts = 0;
        await using var client = Client(NothingListening(), "token", () =>
        {
            if (++attempts == 3)
            {
                cancel.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.StartAsync(cancel.Token));

        Assert.Equal(3, attempts);
    }

    private static RoamingHubClient Client(Uri server, string token, Action onAttempt, IReadOnlyList<TimeSpan>? delays = null, bool reconnect = true) => new(new RoamingHubClientOptions
    {
        ServerUrl = server,
        AccessTokenProvider = () =>
        {
            onAttempt();
            return Task.FromResult<string?>(token);
        },
        AutomaticReconnect = reconnect,
        ReconnectDelays = delays,
        SyncProbeInterval = null,
    });

    private static TimeSpan[] Delays(int count) => [.. Enumerable.Repeat(TimeSpan.FromMilliseconds(20), count)];

    /// <summary>A loopback address nothing listens on: connecting is refused at once.</summary>
    private static Uri NothingListening()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");
    }

    /// <summary>Answers the first <c>refusals</c> requests to the hub as the server refuses an upgrade: a status, the code header, a problem document.</summary>
    private sealed class UpgradeGate(HttpStatusCode status, string? code, int refusals) : IStartupFilter
    {
        private int _upgrades;

        public int Upgrades => Volatile.Read(ref _upgrades);

        public RoamingNode Node() => new(services: services => services.AddSingleton<IStartupFilter>(this));

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, inner) =>
            {
                if (!context.Request.Path.StartsWithSegments(RoamingProtocol.HubPath) || Interlocked.Increment(ref _upgrades) > refusals)
                {
                    await inner(context);
                    return;
                }

                context.Response.StatusCode = (int)status;
                if (code is not null)
                {
                    context.Response.Headers[RoamingProtocol.ErrorCodeHeader] = code;
                }

                await Results.Problem(title: code, statusCode: (int)status, extensions: new Dictionary<string, object?> { ["code"] = code }).ExecuteAsync(context);
            });
            next(app);
        };
    }
}
