using Microsoft.AspNetCore.SignalR;
using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Hosting;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Hubs;

/// <summary>Pushes messages and multi-device events to a user's connections on every node.</summary>
internal interface IDeviceNotifier
{
    /// <summary>Sends <paramref name="message"/> to every connection of <paramref name="userId"/> but <paramref name="exceptConnectionId"/>.</summary>
    Task SendMessageAsync(string userId, Message message, string? exceptConnectionId);

    /// <summary>Sends <paramref name="multiDeviceEvent"/> to every connection of <paramref name="userId"/> but <paramref name="exceptConnectionId"/>.</summary>
    Task SendEventAsync(string userId, MultiDeviceEvent multiDeviceEvent, string? exceptConnectionId);

    /// <summary>
    /// Sends the event of a change <paramref name="caller"/> made to the caller's other connections; nothing when the
    /// call changed nothing (<paramref name="multiDeviceEvent"/> is null).
    /// </summary>
    Task SendToOtherDevicesAsync(Caller caller, MultiDeviceEvent? multiDeviceEvent);

    /// <summary>Sends a group message to every connection of every member but <paramref name="exceptConnectionId"/>.</summary>
    Task SendGroupMessageAsync(string groupId, Message message, string? exceptConnectionId);

    /// <summary>Tells every connection of the other participant of a single chat how far this user has read.</summary>
    Task SendReadAckAsync(string userId, ReadAck ack);

    /// <summary>Makes the user's live connections, on any node, receive (or stop receiving) a group's messages.</summary>
    Task SetGroupMembershipAsync(string userId, string groupId, bool member);
}

/// <summary>
/// Delivers through SignalR groups, one per user, so the Redis backplane carries each push to every node with one
/// publish. Live delivery is at most once: a failed publish is logged, not thrown, because the state change it reports
/// is already stored and devices recover it through <c>SyncEvents</c> and the lists.
/// </summary>
internal sealed class HubDeviceNotifier(IHubContext<RoamingHub> hub, IRoamingStore store, TimeProvider time, ILogger<HubDeviceNotifier> logger) : IDeviceNotifier
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

    /// <remarks>
    /// A change for a connection on another node waits for that node's acknowledgement, up to the backplane's 30-s
    /// timeout when the node has died. So only connections refreshed within the presence timeout are asked (a node
    /// dead for longer is left out), and all at once (a node that died more recently costs one such wait, not one per
    /// connection). A connection whose node missed its refreshes for a whole timeout is left out too; it joins the
    /// group's channel when it reconnects, and meanwhile the history and lists still hold the group's messages.
    /// </remarks>
    public async Task SetGroupMembershipAsync(string userId, string groupId, bool member)
    {
        var connections = await store.GetConnectionsAsync(userId, time.GetUtcNow().ToUnixTimeMilliseconds(), CancellationToken.None).ConfigureAwait(false);
        await Task.WhenAll(connections.Select(async connectionId =>
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
        })).ConfigureAwait(false);
    }

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
