using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Groups;

/// <summary>
/// Adds members to a group (admin API): its next message reaches their devices, since delivery follows the member list.
/// Every requested user's side is completed on every call, so a repeat after a failure completes it.
/// </summary>
internal sealed record AddGroupMembers(string? GroupId, AddGroupMembersRequest Request) : ICommand<Group>;

internal sealed class AddGroupMembersHandler(IGroupStore groups) : ICommandHandler<AddGroupMembers, Group>
{
    public async ValueTask<Group> Handle(AddGroupMembers command, CancellationToken cancellationToken)
    {
        var groupId = Ids.Canonicalize(command.GroupId, "groupId");
        var users = GroupRules.Users(command.Request.Members ?? [], allowEmpty: false);
        await groups.AddGroupMembersAsync(groupId, users, cancellationToken).ConfigureAwait(false);
        return (await groups.GetGroupAsync(groupId, cancellationToken).ConfigureAwait(false))!;
    }
}
