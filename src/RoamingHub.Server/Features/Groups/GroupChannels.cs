using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Groups;

/// <summary>
/// Makes a group membership change take effect on the user's live connections on every node: they start or stop
/// receiving the group's messages, and a removed member's devices are told.
/// </summary>
/// <remarks>
/// A change for a connection on another node waits for that node's acknowledgement, up to the backplane's 30-s
/// timeout when the node has died. So only connections refreshed within the presence timeout are asked (a node
/// dead for longer is left out), and all at once (a node that died more recently costs one such wait, not one per
/// connection). A connection whose node missed its refreshes for a whole timeout is left out too; it joins the
/// group's channel when it reconnects, and meanwhile the history and lists still hold the group's messages.
/// </remarks>
internal sealed class GroupChannels(IPresenceStore presence, IDeviceNotifier notifier, TimeProvider time)
{
    public Task JoinAsync(IEnumerable<string> users, string groupId) =>
        Task.WhenAll(users.Select(userId => SetAsync(userId, groupId, member: true)));

    /// <summary>Stops the user's connections receiving the group, then sends them <paramref name="removed"/> when there is one.</summary>
    public async Task LeaveAsync(string userId, string groupId, MultiDeviceEvent? removed)
    {
        await SetAsync(userId, groupId, member: false).ConfigureAwait(false);
        if (removed is not null)
        {
            await notifier.SendEventAsync(userId, removed, exceptConnectionId: null).ConfigureAwait(false);
        }
    }

    private async Task SetAsync(string userId, string groupId, bool member)
    {
        var connections = await presence.GetConnectionsAsync(userId, time.UnixNow(), CancellationToken.None).ConfigureAwait(false);
        await notifier.SetGroupMembershipAsync(userId, connections, groupId, member).ConfigureAwait(false);
    }
}
