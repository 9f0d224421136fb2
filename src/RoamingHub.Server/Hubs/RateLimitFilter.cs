using System.Threading.RateLimiting;
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
internal sealed class RateLimitFilter : IHubFilter, IDisposable
{
    private readonly PartitionedRateLimiter<string> _perConnection;
    private readonly PartitionedRateLimiter<string> _perUser;

    public RateLimitFilter(IOptions<RoamingOptions> options)
    {
        var limits = options.Value.RateLimit;
        _perConnection = Buckets(limits.PerConnectionPerSecond, limits.PerConnectionBurst);
        _perUser = Buckets(limits.PerUserPerSecond, limits.PerUserBurst);
    }

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var context = invocationContext.Context;
        var user = context.User?.FindFirst(JwtRegisteredClaimNames.Sub)?.Value ?? context.ConnectionId;
        using var connectionLease = _perConnection.AttemptAcquire(context.ConnectionId);
        using var userLease = connectionLease.IsAcquired ? _perUser.AttemptAcquire(user) : null;
        if (!connectionLease.IsAcquired || userLease?.IsAcquired != true)
        {
            throw new RoamingException(ErrorCodes.RateLimited, "Too many calls; slow down and retry.");
        }

        return await next(invocationContext).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _perConnection.Dispose();
        _perUser.Dispose();
    }

    private static PartitionedRateLimiter<string> Buckets(int perSecond, int burst) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
}
