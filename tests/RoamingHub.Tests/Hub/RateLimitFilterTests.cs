using System.Reflection;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Settings;
using RoamingHub.Server.Hubs;

namespace RoamingHub.Tests.Hub;

/// <summary>
/// The hub's token buckets on a fake clock, so every count is exact (the end-to-end flood tests in
/// <c>AbuseTests</c> run on the wall clock and allow for refills during their loops).
/// </summary>
public sealed class RateLimitFilterTests : IDisposable
{
    private static readonly MethodInfo AnyMethod = typeof(NoHub).GetMethod(nameof(NoHub.Call))!;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero));
    private readonly ServiceProvider _services = new ServiceCollection().BuildServiceProvider();
    private readonly RateLimitFilter _filter;

    public RateLimitFilterTests() =>
        _filter = new RateLimitFilter(
            Options.Create(new RoamingOptions
            {
                RateLimit = new RateLimitOptions { PerConnectionPerSecond = 1, PerConnectionBurst = 10, PerUserPerSecond = 2, PerUserBurst = 15 },
            }),
            _time);

    public void Dispose()
    {
        _filter.Dispose();
        _services.Dispose();
    }

    [Fact]
    public async Task A_connection_gets_its_burst_then_one_call_per_refill_interval()
    {
        var connection = Connection("alice", "c1");

        Assert.Equal(10, await CountPassingAsync(connection, 20));
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(0, await CountPassingAsync(connection, 1));
        _time.Advance(TimeSpan.FromMilliseconds(2));
        Assert.Equal(1, await CountPassingAsync(connection, 5));
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(3, await CountPassingAsync(connection, 5));
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(10, await CountPassingAsync(connection, 20));
    }

    [Fact]
    public async Task Connections_of_one_user_share_the_user_bucket_and_other_users_keep_theirs()
    {
        var alice = Enumerable.Range(0, 4).Select(i => Connection("alice", $"a{i}")).ToList();
        var bob = Connection("bob", "b0");

        var passed = 0;
        foreach (var connection in alice)
        {
            passed += await CountPassingAsync(connection, 8);
        }

        Assert.Equal(15, passed);
        Assert.Equal(10, await CountPassingAsync(bob, 12));
        // 1.1 s refills 2.2 of alice's shared tokens (2 a second); a3's own bucket has 3.1.
        _time.Advance(TimeSpan.FromSeconds(1.1));
        Assert.Equal(2, await CountPassingAsync(alice[3], 5));
    }

    private HubCallerContext Connection(string userId, string connectionId)
    {
        var context = new FakeCallerContext(connectionId);
        DeviceHub.Admit(context, new Caller(userId, connectionId, connectionId));
        return context;
    }

    private async Task<int> CountPassingAsync(HubCallerContext connection, int calls)
    {
        var passed = 0;
        for (var i = 0; i < calls; i++)
        {
            try
            {
                await _filter.InvokeMethodAsync(
                    new HubInvocationContext(connection, _services, new NoHub(), AnyMethod, []),
                    _ => ValueTask.FromResult<object?>(null));
                passed++;
            }
            catch (RoamingException e) when (e.Code == ErrorCodes.RateLimited)
            {
            }
        }

        return passed;
    }

    private sealed class NoHub : Microsoft.AspNetCore.SignalR.Hub
    {
        public static void Call()
        {
        }
    }

    private sealed class FakeCallerContext(string connectionId) : HubCallerContext
    {
        public override string ConnectionId => connectionId;

        public override string? UserIdentifier => null;

        public override ClaimsPrincipal? User => null;

        public override IDictionary<object, object?> Items { get; } = new Dictionary<object, object?>();

        public override IFeatureCollection Features { get; } = new FeatureCollection();

        public override CancellationToken ConnectionAborted => CancellationToken.None;

        public override void Abort()
        {
        }
    }
}
