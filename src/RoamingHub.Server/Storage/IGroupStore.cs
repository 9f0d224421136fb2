using RoamingHub.Contracts;
using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage;

/// <summary>
/// Group chats: the authoritative member list and each member's mirror of the groups they are in.
/// Times are passed in by the caller (from <see cref="TimeProvider"/>), never read by a store.
/// </summary>
internal interface IGroupStore
{
    /// <summary>Creates a group; throws <c>ALREADY_EXISTS</c>, or <c>INVALID_ARGUMENT</c> beyond the member limit.</summary>
    ValueTask<Group> CreateGroupAsync(string groupId, string owner, IReadOnlyCollection<string> members, long now, CancellationToken cancellationToken);

    /// <summary>The group, or null.</summary>
    ValueTask<Group?> GetGroupAsync(string groupId, CancellationToken cancellationToken);

    /// <summary>Adds members; returns those newly added. Throws <c>NOT_FOUND</c>, or <c>INVALID_ARGUMENT</c> beyond the member limit.</summary>
    ValueTask<IReadOnlyList<string>> AddGroupMembersAsync(string groupId, IReadOnlyCollection<string> users, CancellationToken cancellationToken);

    /// <summary>
    /// Removes a member: they can no longer send or read, the group leaves their list, and they get
    /// <c>REMOVED_FROM_GROUP</c>. Throws <c>NOT_FOUND</c> (group or member) or <c>INVALID_ARGUMENT</c> for the owner.
    /// </summary>
    ValueTask<MultiDeviceEvent?> RemoveGroupMemberAsync(string groupId, string userId, long now, CancellationToken cancellationToken);

    /// <summary>Deletes a group and its history; each former member gets <c>REMOVED_FROM_GROUP</c>. Throws <c>NOT_FOUND</c>.</summary>
    ValueTask<IReadOnlyList<(string UserId, MultiDeviceEvent? Event)>> DeleteGroupAsync(string groupId, long now, CancellationToken cancellationToken);

    /// <summary>The groups the user is a member of.</summary>
    ValueTask<IReadOnlyList<string>> GetGroupsOfUserAsync(string userId, CancellationToken cancellationToken);
}
