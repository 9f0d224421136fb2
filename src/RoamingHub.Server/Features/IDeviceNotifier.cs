
namespace RoamingHub.Server.Features;

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

    /// <summary>
    /// Makes the given connections of <paramref name="userId"/>, on any node, receive (or stop receiving) a group's
    /// messages.
    /// </summary>
    Task SetGroupMembershipAsync(string userId, IReadOnlyCollection<string> connectionIds, string groupId, bool member);
}
