using Microsoft.AspNetCore.SignalR;
using RoamingHub.Contracts;
using RoamingHub.Server.Hosting;

namespace RoamingHub.Server.Hubs;

/// <summary>Pushes messages and multi-device events to a user's connections on every node.</summary>
internal interface IDeviceNotifier
{
    /// <summary>Sends <paramref name="message"/> to every connection of <paramref name="userId"/> but <paramref name="exceptConnectionId"/>.</summary>
    Task SendMessageAsync(string userId, Message message, string? exceptConnectionId);

    /// <summary>Sends <paramref name="multiDeviceEvent"/> to every connection of <paramref name="userId"/> but <paramref name="exceptConnectionId"/>.</summary>
    Task SendEventAsync(string userId, MultiDeviceEvent multiDeviceEvent, string? exceptConnectionId);
}

/// <summary>
/// Delivers through SignalR groups, one per user, so the Redis backplane carries each push to every node with one
/// publish. Live delivery is at most once: a failed publish is logged, not thrown, because the state change it reports
/// is already stored and devices recover it through <c>SyncEvents</c> and the lists.
/// </summary>
internal sealed class HubDeviceNotifier(IHubContext<RoamingHub> hub, ILogger<HubDeviceNotifier> logger) : IDeviceNotifier
{
    public Task SendMessageAsync(string userId, Message message, string? exceptConnectionId) =>
        SendAsync(userId, HubEvents.OnMessage, message, exceptConnectionId);

    public Task SendEventAsync(string userId, MultiDeviceEvent multiDeviceEvent, string? exceptConnectionId) =>
        SendAsync(userId, HubEvents.OnMultiDeviceEvent, multiDeviceEvent, exceptConnectionId);

    /// <summary>The SignalR group that holds every connection of a user.</summary>
    public static string UserGroup(string userId) => "u:" + userId;

    private async Task SendAsync(string userId, string method, object payload, string? exceptConnectionId)
    {
        try
        {
            var clients = exceptConnectionId is null
                ? hub.Clients.Group(UserGroup(userId))
                : hub.Clients.GroupExcept(UserGroup(userId), exceptConnectionId);
            await clients.SendAsync(method, payload).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or IOException or TimeoutException)
        {
            Log.PushFailed(logger, method, userId, ex);
        }
    }
}
