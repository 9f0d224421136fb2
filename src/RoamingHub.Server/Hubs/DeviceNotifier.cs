using Microsoft.AspNetCore.SignalR;
using RoamingHub.Server.Diagnostics;
using RoamingHub.Server.Features;

namespace RoamingHub.Server.Hubs;

/// <summary>
/// Delivers through SignalR groups, one per user, so the Redis backplane carries each push to every node. Live
/// delivery is at most once and never awaited by the call that made the change: a failed publish is logged, because
/// the change it reports is already stored and devices recover it through <c>SyncEvents</c> and the lists.
/// </summary>
internal sealed class HubDeviceNotifier(IHubContext<DeviceHub> hub, ILogger<HubDeviceNotifier> logger) : IDeviceNotifier
{
    public void Deliver(params IReadOnlyList<Push> pushes)
    {
        foreach (var push in pushes)
        {
            foreach (var target in push.Targets)
            {
                _ = SendAsync(push, target);
            }
        }
    }

    /// <summary>The SignalR group that holds every connection of a user.</summary>
    public static string UserGroup(string userId) => "u:" + userId;

    private async Task SendAsync(Push push, PushTarget target)
    {
        try
        {
            var group = UserGroup(target.UserId);
            var clients = push.ExceptConnectionId is null ? hub.Clients.Group(group) : hub.Clients.GroupExcept(group, push.ExceptConnectionId);
            await clients.SendAsync(push.Method, push.PayloadFor(target)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or IOException or TimeoutException)
        {
            Log.PushFailed(logger, push.Method, target.UserId, ex);
        }
    }
}
