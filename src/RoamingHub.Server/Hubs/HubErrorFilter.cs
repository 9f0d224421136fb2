using Microsoft.AspNetCore.SignalR;
using RoamingHub.Server.Diagnostics;
using StackExchange.Redis;

namespace RoamingHub.Server.Hubs;

/// <summary>
/// Maps errors to the hub wire in one place: a <see cref="HubException"/> whose message is <c>CODE: sentence</c>.
/// Only the message of a <see cref="HubException"/> reaches clients, so nothing else leaks; the connection stays
/// usable after any invocation error.
/// </summary>
internal sealed class HubErrorFilter(ILogger<HubErrorFilter> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocationContext).ConfigureAwait(false);
        }
        catch (Exception ex) when (Map(ex, invocationContext.HubMethodName, invocationContext.Context) is { } mapped)
        {
            throw mapped;
        }
    }

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (Map(ex, "connect", context.Context) is { } mapped)
        {
            throw mapped;
        }
    }

    private HubException? Map(Exception exception, string method, HubCallerContext context)
    {
        var userId = DeviceHub.CallerOf(context)?.UserId ?? context.User?.FindFirst("sub")?.Value ?? "?";
        switch (exception)
        {
            case RoamingException roaming:
                Log.Refused(logger, method, userId, roaming.Code);
                return new HubException($"{roaming.Code}: {roaming.Message}");
            case RedisException or TimeoutException:
                Log.StoreUnavailable(logger, method, userId, exception);
                return new HubException($"{ErrorCodes.Unavailable}: The store is unreachable; try again.");
            case HubException:
                return null;
            default:
                // SignalR's own log of this is switched off in appsettings.json, since it would also log every
                // client's bad input; unexpected failures are logged here instead.
                Log.UnexpectedFailure(logger, method, userId, exception);
                return null;
        }
    }
}
