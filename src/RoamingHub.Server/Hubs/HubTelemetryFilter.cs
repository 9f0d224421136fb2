using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.SignalR;
using RoamingHub.Server.Diagnostics;
using StackExchange.Redis;

namespace RoamingHub.Server.Hubs;

/// <summary>
/// Counts and times every hub call by method and outcome, and gives it a span. It sits inside
/// <see cref="HubErrorFilter"/>, so it sees the errors before they are mapped, and outside <see cref="RateLimitFilter"/>,
/// so refused calls count as <c>RATE_LIMITED</c>.
/// </summary>
internal sealed class HubTelemetryFilter : IHubFilter
{
    // Not async itself: with neither metrics nor traces listening, the call goes straight on.
    public ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next) =>
        RoamingMetrics.HubCallsEnabled || RoamingTracing.HasListeners
            ? ObserveAsync(invocationContext, next)
            : next(invocationContext);

    /// <summary>The outcome a failed call counts under: its error code, as <see cref="HubErrorFilter"/> will send it.</summary>
    internal static string OutcomeOf(Exception exception) => exception switch
    {
        RoamingException roaming => roaming.Code,
        RedisException or TimeoutException => ErrorCodes.Unavailable,
        _ => ErrorCodes.Internal,
    };

    // Pooled: with metrics on every call comes through here, and most wait for the store, which would box the state machine.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<object?> ObserveAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var method = invocationContext.HubMethodName;
        var start = RoamingMetrics.HubCallStarted();
        using var span = RoamingTracing.StartHubCall(method);
        var outcome = RoamingMetrics.Ok;
        try
        {
            return await next(invocationContext).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            outcome = OutcomeOf(ex);
            throw;
        }
        finally
        {
            RoamingMetrics.HubCallEnded(method, outcome, start);
            if (span is not null)
            {
                RoamingTracing.SetOutcome(span, outcome);
            }
        }
    }
}
