using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Groups;

/// <summary>
/// Removes a member (admin API): they stop receiving the group's messages, can no longer send or read its history,
/// the group leaves their list, and their devices get <c>REMOVED_FROM_GROUP</c>. A repeat after a failure between the
/// steps completes the removal and pushes the event then.
/// </summary>
internal sealed record RemoveGroupMember(string? GroupId, string? UserId) : ICommand;

internal sealed class RemoveGroupMemberHandler(IGroupStore groups, IDeviceNotifier notifier, TimeProvider time) : ICommandHandler<RemoveGroupMember>
{
    public async ValueTask<Mediator.Unit> Handle(RemoveGroupMember command, CancellationToken cancellationToken)
    {
        var groupId = Ids.Canonicalize(command.GroupId, "groupId");
        var userId = Ids.Canonicalize(command.UserId, "userId");
        var removed = await groups.RemoveGroupMemberAsync(groupId, userId, time.UnixNow(), cancellationToken).ConfigureAwait(false);
        if (removed is not null)
        {
            notifier.Deliver(Push.Event(removed, new PushTarget(userId, removed.Seq, removed.Epoch)));
        }

        return Mediator.Unit.Value;
    }
}
