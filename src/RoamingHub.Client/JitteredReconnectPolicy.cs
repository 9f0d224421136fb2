using Microsoft.AspNetCore.SignalR.Client;

namespace RoamingHub.Client;

/// <summary>
/// The client's default reconnect policy: retries until the client is disposed, waiting a random time below a
/// ceiling that doubles from <see cref="FirstCeiling"/> up to <see cref="MaxCeiling"/> ("full jitter"). A fixed
/// schedule that gives up, like SignalR's default, leaves a device offline for good after a longer outage, and
/// devices that lost one node together would otherwise all come back at the same instants.
/// </summary>
internal sealed class JitteredReconnectPolicy(Func<double>? random = null) : IRetryPolicy
{
    public static readonly TimeSpan FirstCeiling = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxCeiling = TimeSpan.FromSeconds(30);

    private readonly Func<double> _random = random ?? Random.Shared.NextDouble;

    public TimeSpan? NextRetryDelay(RetryContext retryContext)
    {
        var doublings = Math.Min(retryContext.PreviousRetryCount, 10);
        var ceiling = TimeSpan.FromTicks(Math.Min(MaxCeiling.Ticks, FirstCeiling.Ticks << (int)doublings));
        return ceiling * _random();
    }
}
