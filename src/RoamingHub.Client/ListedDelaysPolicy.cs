using Microsoft.AspNetCore.SignalR.Client;

namespace RoamingHub.Client;

/// <summary>
/// The waits a user listed in <see cref="RoamingHubClientOptions.ReconnectDelays"/>, one per attempt, then none: the
/// same schedule for <see cref="RoamingHubClient.StartAsync"/> and for reconnects, as SignalR's list of delays.
/// </summary>
internal sealed class ListedDelaysPolicy(IReadOnlyList<TimeSpan> delays) : IRetryPolicy
{
    public TimeSpan? NextRetryDelay(RetryContext retryContext) =>
        retryContext.PreviousRetryCount < delays.Count ? delays[(int)retryContext.PreviousRetryCount] : null;
}
