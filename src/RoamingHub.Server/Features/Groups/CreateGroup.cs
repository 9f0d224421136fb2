using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Groups;

/// <summary>
/// Creates a group chat with its owner and members (admin API). A repeat of the same create answers the group and
/// completes it; former members of a deleted group of the id who were not yet told are told first.
/// </summary>
internal sealed record CreateGroup(CreateGroupRequest Request) : ICommand<Group>;

internal sealed class CreateGroupHandler(IGroupStore groups, IDeviceNotifier notifier, TimeProvider time) : ICommandHandler<CreateGroup, Group>
{
    public async ValueTask<Group> Handle(CreateGroup command, CancellationToken cancellationToken)
    {
        var request = command.Request;
        var groupId = Ids.Canonicalize(request.GroupId, "groupId");
        var owner = Ids.Canonicalize(request.Owner, "owner");
        var members = GroupRules.Users(request.Members ?? [], allowEmpty: true);
        var created = await groups.CreateGroupAsync(groupId, owner, members, time.UnixNow(), cancellationToken).ConfigureAwait(false);
        notifier.Deliver(GroupPushes.Removed(created.FormerMembers));
        return created.Group;
    }
}
