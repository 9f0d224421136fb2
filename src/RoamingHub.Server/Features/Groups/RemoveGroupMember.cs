using Mediator;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Hubs;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Groups;

/// <summary>
/// Removes a member (admin API): they stop receiving the group's messages, can no longer send or read its history,
/// the group leaves their list, and their devices get <c>REMOVED_FROM_GROUP</c>.
/// </summary>
internal sealed record RemoveGroupMember(string? GroupId, string? UserId) : ICommand;

internal sealed class RemoveGroupMemberHandler(IRoamingStore store, IDeviceNotifier notifier, TimeProvider time) : ICommandHandler<RemoveGroupMember>
{
    public async ValueTask<Mediator.Unit> Handle(RemoveGroupMember command, CancellationToken cancellationToken)
    {
        var groupId = Ids.Canonicalize(command.GroupId, "groupId");
        var userId = Ids.Canonicalize(command.UserId, "userId");
        var evt = await store.RemoveGroupMemberAsync(groupId, userId, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken).ConfigureAwait(false);
        await notifier.SetGroupMembershipAsync(userId, groupId, member: false).ConfigureAwait(false);
        if (evt is not null)
        {
            await notifier.SendEventAsync(userId, evt, exceptConnectionId: null).ConfigureAwait(false);
        }

        return Mediator.Unit.Value;
    }
}
