using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Groups;

/// <summary>Adds members to a group (admin API); their live connections start receiving its messages at once.</summary>
internal sealed record AddGroupMembers(string? GroupId, AddGroupMembersRequest Request) : ICommand<Group>;

internal sealed class AddGroupMembersHandler(IGroupStore groups, GroupChannels channels) : ICommandHandler<AddGroupMembers, Group>
{
    public async ValueTask<Group> Handle(AddGroupMembers command, CancellationToken cancellationToken)
    {
        var groupId = Ids.Canonicalize(command.GroupId, "groupId");
        var users = GroupRules.Users(command.Request.Members ?? [], allowEmpty: false);
        var added = await groups.AddGroupMembersAsync(groupId, users, cancellationToken).ConfigureAwait(false);
        await channels.JoinAsync(added, groupId).ConfigureAwait(false);
        return (await groups.GetGroupAsync(groupId, cancellationToken).ConfigureAwait(false))!;
    }
}
