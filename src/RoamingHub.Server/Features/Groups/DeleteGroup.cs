using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Groups;

/// <summary>Deletes a group and its history (admin API); every former member's devices get <c>REMOVED_FROM_GROUP</c>.</summary>
internal sealed record DeleteGroup(string? GroupId) : ICommand;

internal sealed class DeleteGroupHandler(IGroupStore groups, GroupChannels channels, TimeProvider time) : ICommandHandler<DeleteGroup>
{
    public async ValueTask<Mediator.Unit> Handle(DeleteGroup command, CancellationToken cancellationToken)
    {
        var groupId = Ids.Canonicalize(command.GroupId, "groupId");
        var members = await groups.DeleteGroupAsync(groupId, time.UnixNow(), cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(members.Select(m => channels.LeaveAsync(m.UserId, groupId, m.Event))).ConfigureAwait(false);
        return Mediator.Unit.Value;
    }
}
