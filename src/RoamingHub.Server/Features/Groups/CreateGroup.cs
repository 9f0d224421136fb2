using Mediator;
using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Hubs;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Groups;

/// <summary>Creates a group chat with its owner and members (admin API).</summary>
internal sealed record CreateGroup(CreateGroupRequest Request) : ICommand<Group>;

internal sealed class CreateGroupHandler(IRoamingStore store, IDeviceNotifier notifier, TimeProvider time) : ICommandHandler<CreateGroup, Group>
{
    public async ValueTask<Group> Handle(CreateGroup command, CancellationToken cancellationToken)
    {
        var request = command.Request;
        var groupId = Ids.Canonicalize(request.GroupId, "groupId");
        var owner = Ids.Canonicalize(request.Owner, "owner");
        var members = GroupRules.Users(request.Members ?? [], allowEmpty: true);
        var group = await store.CreateGroupAsync(groupId, owner, members, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(group.Members.Select(m => notifier.SetGroupMembershipAsync(m, groupId, member: true))).ConfigureAwait(false);
        return group;
    }
}

/// <summary>Argument rules shared by the group features.</summary>
internal static class GroupRules
{
    public static IReadOnlyList<string> Users(IReadOnlyList<string> users, bool allowEmpty) =>
        users.Count == 0 && !allowEmpty
            ? throw RoamingException.InvalidArgument("members must name at least one user.")
            : [.. users.Select(u => Ids.Canonicalize(u, "members")).Distinct(StringComparer.Ordinal)];
}
