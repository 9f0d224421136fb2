using Microsoft.AspNetCore.SignalR;
using RoamingHub.Server.Diagnostics;
using RoamingHub.Server.Features;

namespace RoamingHub.Server.Hubs;

/// <summary>
/// Delivers through SignalR groups, one per user, so the Redis backplane carries each push to every node with one
/// publish. Live delivery is at most once: a failed publish is logged, not thrown, because the state change it reports
/// is already stored and devices recover it through <c>SyncEvents</c> and the lists.
/// </summary>
internal sealed class HubDeviceNotifier(IHubContext<DeviceHub> hub, ILogger<HubDeviceNotifier> logger) : IDeviceNotifier
{
    public Task SendMessageAsync(string userId, Message message, string? exceptConnectionId) =>
        SendAsync(userId, HubEvents.OnMessage, message, exceptConnectionId);

    public Task SendEventAsync(string userId, MultiDeviceEvent multiDeviceEvent, string? exceptConnectionId) =>
        SendAsync(userId, HubEvents.OnMultiDeviceEvent, multiDeviceEvent, exceptConnectionId);

    public Task SendToOtherDevicesAsync(Caller caller, MultiDeviceEvent? multiDeviceEvent) =>
        multiDeviceEvent is null ? Task.CompletedTask : SendEventAsync(caller.UserId, multiDeviceEvent, caller.ConnectionId);

    public Task SendGroupMessageAsync(string groupId, Message message, string? exceptConnectionId) =>
        PublishAsync(ChatGroup(groupId), HubEvents.OnMessage, message, exceptConnectionId, "group " + groupId);

    public Task SendReadAckAsync(string userId, ReadAck ack) => SendAsync(userId, HubEvents.OnReadAck, ack, exceptConnectionId: null);

    public Task SetGroupMembershipAsync(string userId, IReadOnlyCollection<string> connectionIds, string groupId, bool member) =>
        Task.WhenAll(connectionIds.Select(async connectionId =>
        {
            try
            {
                // With the Redis backplane this reaches a connection on another node too.
                await (member
                    ? hub.Groups.AddToGroupAsync(connectionId, ChatGroup(groupId))
                    : hub.Groups.RemoveFromGroupAsync(connectionId, ChatGroup(groupId))).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is StackExchange.Redis.RedisException or IOException or TimeoutException)
            {
                Log.PushFailed(logger, member ? "join group" : "leave group", userId, ex);
            }
        }));

    /// <summary>The SignalR group that holds every connection of a user.</summary>
    public static string UserGroup(string userId) => "u:" + userId;

    /// <summary>The SignalR group that holds every connection of every member of a chat group.</summary>
    public static string ChatGroup(string groupId) => "g:" + groupId;

    private Task SendAsync(string userId, string method, object payload, string? exceptConnectionId) =>
        PublishAsync(UserGroup(userId), method, payload, exceptConnectionId, userId);

    private async Task PublishAsync(string group, string method, object payload, string? exceptConnectionId, string recipient)
    {
        try
        {
            var clients = exceptConnectionId is null ? hub.Clients.Group(group) : hub.Clients.GroupExcept(group, exceptConnectionId);
            await clients.SendAsync(method, payload).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or IOException or TimeoutException)
        {
            Log.PushFailed(logger, method, recipient, ex);
        }
    }
}
