using RoamingHub.Contracts;
using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage;

/// <summary>
/// Group chats: the authoritative member list and each member's mirror of the groups they are in.
/// Times are passed in by the caller (from <see cref="TimeProvider"/>), never read by a store.
/// </summary>
/// <remarks>
/// <para>
/// <b>Membership is authoritative.</b> The group's own member list decides, at the moment each message is stored,
/// who receives it, who may send and who may read the history. A change to the list takes effect with the first step
/// of the admin call that makes it, for every message stored after it, whatever any member's connections, presence
/// records or mirror say.
/// </para>
/// <para>
/// <b>Every admin step is resumable.</b> A change is a step on the group, then a step for each member concerned
/// (their mirror, their list and stream). When the second step fails, the call fails, and repeating the same call
/// completes it and answers as the first attempt would have:
/// </para>
/// <list type="bullet">
/// <item><see cref="CreateGroupAsync"/>: the same owner and members again answer the group (as first created) and
/// complete every member's mirror; a different group of the same id is <c>ALREADY_EXISTS</c>.</item>
/// <item><see cref="AddGroupMembersAsync"/>: mirrors every requested user on every call, so a repeat completes it.</item>
/// <item><see cref="RemoveGroupMemberAsync"/>: a user no longer in the list who still has something of the group
/// (mirror or conversation) is a half-finished removal: it is completed and its event answered. Only a user with
/// nothing of the group left is <c>NOT_FOUND</c>.</item>
/// <item><see cref="DeleteGroupAsync"/>: a repeat tells the former members not yet told and succeeds; only an id with
/// neither a group nor a deletion in progress is <c>NOT_FOUND</c>. A create of the id first finishes a deletion in
/// progress, so a new group of the id never reaches former members who were not yet told.</item>
/// </list>
/// <para>
/// A repeat of a call that had completed answers as above too: the same group for a create, nobody newly added for
/// an add, <c>NOT_FOUND</c> for a removal or a deletion. The embedded store makes each call atomic, so it never
/// leaves one half done, and gives the same answers.
/// </para>
/// </remarks>
internal interface IGroupStore
{
    /// <summary>
    /// Creates a group, first telling the former members of a deleted group of the same id that were not yet told.
    /// Throws <c>ALREADY_EXISTS</c> for a different group of the id, or <c>INVALID_ARGUMENT</c> beyond the member limit.
    /// </summary>
    ValueTask<GroupCreated> CreateGroupAsync(string groupId, string owner, IReadOnlyCollection<string> members, long now, CancellationToken cancellationToken);

    /// <summary>The group, or null.</summary>
    ValueTask<Group?> GetGroupAsync(string groupId, CancellationToken cancellationToken);

    /// <summary>Adds members; returns those newly added. Throws <c>NOT_FOUND</c>, or <c>INVALID_ARGUMENT</c> beyond the member limit.</summary>
    ValueTask<IReadOnlyList<string>> AddGroupMembersAsync(string groupId, IReadOnlyCollection<string> users, CancellationToken cancellationToken);

    /// <summary>
    /// Removes a member: they can no longer send or read, the group leaves their list, and they get
    /// <c>REMOVED_FROM_GROUP</c> (the event returned; null when they had nothing of the group on their side).
    /// Throws <c>NOT_FOUND</c> (group, or a user with nothing of it left) or <c>INVALID_ARGUMENT</c> for the owner.
    /// </summary>
    ValueTask<MultiDeviceEvent?> RemoveGroupMemberAsync(string groupId, string userId, long now, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a group and its history; each former member gets <c>REMOVED_FROM_GROUP</c>. Returns the members this
    /// call told. Throws <c>NOT_FOUND</c>.
    /// </summary>
    ValueTask<IReadOnlyList<GroupLeave>> DeleteGroupAsync(string groupId, long now, CancellationToken cancellationToken);

    /// <summary>The groups the user is a member of.</summary>
    ValueTask<IReadOnlyList<string>> GetGroupsOfUserAsync(string userId, CancellationToken cancellationToken);
}

/// <summary>A user's side of leaving a group; <see cref="Event"/> is null when they had nothing of the group left.</summary>
internal sealed record GroupLeave(string UserId, MultiDeviceEvent? Event);

/// <summary>The group a create answered, and the former members of a deleted group of its id that it told first.</summary>
internal sealed record GroupCreated(Group Group, IReadOnlyList<GroupLeave> FormerMembers);
