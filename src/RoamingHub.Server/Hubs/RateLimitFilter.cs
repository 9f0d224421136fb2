using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using RoamingHub.Server.Diagnostics;
using RoamingHub.Server.Settings;

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

    private readonly TimeProvider _time;
    private readonly BucketLimit _perConnection;
    private readonly BucketLimit _perUser;
    private readonly ConcurrentDictionary<string, TokenBucket> _users = new(StringComparer.Ordinal);
    private readonly ITimer _sweeper;

    public RateLimitFilter(IOptions<RoamingOptions> options, TimeProvider time)
    {
        var limits = options.Value.RateLimit;
        _time = time;
        _perConnection = new BucketLimit(limits.PerConnectionPerSecond, limits.PerConnectionBurst, time.TimestampFrequency);
        _perUser = new BucketLimit(limits.PerUserPerSecond, limits.PerUserBurst, time.TimestampFrequency);
        _sweeper = time.CreateTimer(_ => SweepIdleUsers(), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
    }

    // Not async: the call goes on as the next step's own task, without a state machine of this filter's in between.
    public ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var context = invocationContext.Context;
        var now = _time.GetTimestamp();
        var connection = context.Items.TryGetValue(ConnectionBucketKey, out var held) && held is TokenBucket bucket
            ? bucket
            : (TokenBucket)(context.Items[ConnectionBucketKey] = new TokenBucket(_perConnection, now));
        var user = DeviceHub.CallerOf(context)?.UserId ?? context.ConnectionId;
        if (!connection.TryTake(now))
        {
            throw Limited("connection");
        }

        if (!_users.GetOrAdd(user, static (_, state) => new TokenBucket(state.Limit, state.Now), (Limit: _perUser, Now: now)).TryTake(now))
        {
            throw Limited("user");
        }

        return next(invocationContext);
    }

    private static RoamingException Limited(string bucket)
    {
        RoamingMetrics.CallRateLimited(bucket);
        return new RoamingException(ErrorCodes.RateLimited, "Too many calls; slow down and retry.");
    }

    public void Dispose() => _sweeper.Dispose();

    /// <summary>Drops the user buckets that are full again; a call racing the removal simply starts a new, full one.</summary>
    private void SweepIdleUsers()
    {
        var now = _time.GetTimestamp();
        foreach (var (user, bucket) in _users)
        {
            if (now - bucket.LastTakenAt > _perUser.TicksToFill)
            {
                _users.TryRemove(new KeyValuePair<string, TokenBucket>(user, bucket));
            }
        }
    }

    /// <summary>A bucket's size and refill rate in the clock's timestamp ticks.</summary>
    private sealed class BucketLimit(int perSecond, int burst, long ticksPerSecond)
    {
        public int Burst { get; } = burst;

        public double TokensPerTick { get; } = (double)perSecond / ticksPerSecond;

        /// <summary>How long an empty bucket takes to fill up again.</summary>
        public long TicksToFill { get; } = (long)Math.Ceiling((double)burst / perSecond * ticksPerSecond);
    }

    /// <summary>A token bucket refilled from elapsed time whenever it is used.</summary>
    private sealed class TokenBucket(BucketLimit limit, long now)
    {
        private readonly Lock _gate = new();
        private double _tokens = limit.Burst;
        private long _refilledAt = now;

        public long LastTakenAt { get; private set; } = now;

        public bool TryTake(long now)
        {
            lock (_gate)
            {
                if (now > _refilledAt)
                {
                    _tokens = Math.Min(limit.Burst, _tokens + (now - _refilledAt) * limit.TokensPerTick);
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
