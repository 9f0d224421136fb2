using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Groups;

/// <summary>
/// Deletes a group and its history (admin API); every former member's devices get <c>REMOVED_FROM_GROUP</c>. A
/// repeat after a failure tells those not yet told.
/// </summary>
internal sealed record DeleteGroup(string? GroupId) : ICommand;

internal sealed class DeleteGroupHandler(IGroupStore groups, IDeviceNotifier notifier, TimeProvider time) : ICommandHandler<DeleteGroup>
{
    public async ValueTask<Mediator.Unit> Handle(DeleteGroup command, CancellationToken cancellationToken)
    {
        var groupId = Ids.Canonicalize(command.GroupId, "groupId");
        var left = await groups.DeleteGroupAsync(groupId, time.UnixNow(), cancellationToken).ConfigureAwait(false);
        notifier.Deliver(GroupPushes.Removed(left));
        return Mediator.Unit.Value;
    }
}
