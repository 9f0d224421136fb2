using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Hosting;

namespace RoamingHub.Server.Hubs;

/// <summary>
/// Token buckets per connection and per user (per node): an invocation beyond either fails with
/// <c>RATE_LIMITED</c> before it reaches the store, so one flooding client slows only itself.
/// </summary>
/// <remarks>
/// Buckets refill from the clock when used, so there is no timer walking every bucket and no lock shared by all
/// connections (the framework's partitioned limiter has both, and both showed in profiles at 10,000 connections).
/// A connection's bucket lives in its <see cref="HubCallerContext.Items"/> and goes with it; a user's bucket is
/// dropped once it has been idle long enough to be full again, which is what a new one would be.
/// </remarks>
internal sealed class RateLimitFilter : IHubFilter, IDisposable
{
    private static readonly object ConnectionBucketKey = new();

    private readonly RateLimitOptions _limits;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, TokenBucket> _users = new(StringComparer.Ordinal);
    private readonly ITimer _sweeper;
    private readonly long _userRefillTicks;

    public RateLimitFilter(IOptions<RoamingOptions> options, TimeProvider time)
    {
        _limits = options.Value.RateLimit;
        _time = time;
        _userRefillTicks = TokenBucket.TicksToRefill(_limits.PerUserPerSecond, _limits.PerUserBurst, time.TimestampFrequency);
        _sweeper = time.CreateTimer(_ => SweepIdleUsers(), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
    }

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var context = invocationContext.Context;
        var now = _time.GetTimestamp();
        var connection = context.Items.TryGetValue(ConnectionBucketKey, out var held) && held is TokenBucket bucket
            ? bucket
            : (TokenBucket)(context.Items[ConnectionBucketKey] = new TokenBucket(_limits.PerConnectionPerSecond, _limits.PerConnectionBurst, now));
        var user = context.User?.FindFirst(JwtRegisteredClaimNames.Sub)?.Value ?? context.ConnectionId;
        if (!connection.TryTake(now, _time.TimestampFrequency)
            || !_users.GetOrAdd(user, static (_, state) => new TokenBucket(state.PerSecond, state.Burst, state.Now), (PerSecond: _limits.PerUserPerSecond, Burst: _limits.PerUserBurst, Now: now))
                .TryTake(now, _time.TimestampFrequency))
        {
            throw new RoamingException(ErrorCodes.RateLimited, "Too many calls; slow down and retry.");
        }

        return await next(invocationContext).ConfigureAwait(false);
    }

    public void Dispose() => _sweeper.Dispose();

    /// <summary>Drops the user buckets that are full again; a call racing the removal simply starts a new, full one.</summary>
    private void SweepIdleUsers()
    {
        var now = _time.GetTimestamp();
        foreach (var (user, bucket) in _users)
        {
            if (now - bucket.LastTakenAt > _userRefillTicks)
            {
                _users.TryRemove(new KeyValuePair<string, TokenBucket>(user, bucket));
            }
        }
    }

    /// <summary>A token bucket refilled from elapsed time whenever it is used.</summary>
    private sealed class TokenBucket(int perSecond, int burst, long now)
    {
        private readonly Lock _gate = new();
        private double _tokens = burst;
        private long _refilledAt = now;

        public long LastTakenAt { get; private set; } = now;

        public static long TicksToRefill(int perSecond, int burst, long frequency) => (long)Math.Ceiling((double)burst / perSecond * frequency);

        public bool TryTake(long now, long frequency)
        {
            lock (_gate)
            {
                if (now > _refilledAt)
                {
                    _tokens = Math.Min(burst, _tokens + (now - _refilledAt) * (double)perSecond / frequency);
                    _refilledAt = now;
                }

                LastTakenAt = now;
                if (_tokens < 1)
                {
                    return false;
                }

                _tokens -= 1;
                return true;
            }
        }
    }
}
