using RoamingHub.Contracts;
using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage.InMemory;

/// <summary>The embedded store's groups: each group's members, each user's copy of their groups, the history a chat.</summary>
internal sealed class InMemoryGroupStore(InMemoryState state) : IGroupStore
{
    public ValueTask<GroupCreated> CreateGroupAsync(string groupId, string owner, IReadOnlyCollection<string> members, long now, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            state.Expire(now);
            var all = members.Append(owner).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            if (state.Groups.GetValueOrDefault(groupId) is { } existing)
            {
                // A repeat of the same create answers the group as the Redis store does; anything else is a clash.
                return existing.Owner == owner && existing.Members.SetEquals(all)
                    ? ValueTask.FromResult(new GroupCreated(existing.ToWire(groupId), []))
                    : throw StoreErrors.GroupExists(groupId);
            }

            if (all.Count > state.Options.MaxGroupMembers)
            {
                throw StoreErrors.TooManyMembers(state.Options.MaxGroupMembers);
            }

            var group = new GroupState(owner, now, [.. all]);
            state.Groups[groupId] = group;
            all.ForEach(m => Mirror(m).Add(groupId));
            return ValueTask.FromResult(new GroupCreated(group.ToWire(groupId), []));
        }
    }

    public ValueTask<Group?> GetGroupAsync(string groupId, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            return ValueTask.FromResult(state.Groups.GetValueOrDefault(groupId)?.ToWire(groupId));
        }
    }

    public ValueTask<IReadOnlyList<string>> AddGroupMembersAsync(string groupId, IReadOnlyCollection<string> users, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            var group = ExistingGroup(groupId);
            var requested = users.Distinct(StringComparer.Ordinal).ToList();
            var added = requested.Where(u => !group.Members.Contains(u)).ToList();
            if (group.Members.Count + added.Count > state.Options.MaxGroupMembers)
            {
                throw StoreErrors.TooManyMembers(state.Options.MaxGroupMembers);
            }

            foreach (var user in requested)
            {
                group.Members.Add(user);
                Mirror(user).Add(groupId);
            }

            return ValueTask.FromResult<IReadOnlyList<string>>(added);
        }
    }

    public ValueTask<MultiDeviceEvent?> RemoveGroupMemberAsync(string groupId, string userId, long now, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            state.Expire(now);
            var group = ExistingGroup(groupId);
            if (group.Owner == userId)
            {
                throw StoreErrors.OwnerCannotLeave();
            }

            if (!group.Members.Remove(userId))
            {
                // Same answer as the Redis store, whose removal can be left half done: whatever the user still has
                // of the group goes, with its event; a user with nothing of it is not a member.
                return ValueTask.FromResult<MultiDeviceEvent?>(LeaveGroup(groupId, userId, now) ?? throw StoreErrors.NotInGroup(userId, groupId));
            }

            if (state.FindChat(ConversationRef.Group(groupId), userId) is { } chat)
            {
                chat.Watermarks.Remove(userId);
                chat.Hidden.Remove(userId);
            }

            return ValueTask.FromResult(LeaveGroup(groupId, userId, now));
        }
    }

    /// <remarks>Atomic, so it never leaves a deletion in progress: a repeat finds no group and is <c>NOT_FOUND</c>.</remarks>
    public ValueTask<IReadOnlyList<GroupLeave>> DeleteGroupAsync(string groupId, long now, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            state.Expire(now);
            var group = ExistingGroup(groupId);
            state.Groups.Remove(groupId);
            state.RemoveChat(ConversationRef.GroupChatKey(groupId));
            return ValueTask.FromResult<IReadOnlyList<GroupLeave>>(
                [.. group.Members.Order(StringComparer.Ordinal).Select(m => new GroupLeave(m, LeaveGroup(groupId, m, now)))]);
        }
    }

    public ValueTask<IReadOnlyList<string>> GetGroupsOfUserAsync(string userId, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            return ValueTask.FromResult<IReadOnlyList<string>>([.. state.GroupsOfUser.GetValueOrDefault(userId) ?? []]);
        }
    }

    /// <summary>The user's side of leaving: the group leaves their copy of their groups and their list; null when they had neither.</summary>
    private MultiDeviceEvent? LeaveGroup(string groupId, string userId, long now)
    {
        var member = ConversationRef.Group(groupId).Member;
        var was = state.GroupsOfUser.GetValueOrDefault(userId)?.Remove(groupId) == true;
        if (state.GroupsOfUser.GetValueOrDefault(userId) is { Count: 0 })
        {
            state.GroupsOfUser.Remove(userId);
        }

        var had = state.FindUser(userId)?.Forget(member) == true;
        return was || had
            ? state.WriteUser(userId, now).Append(EventTemplate.For(MultiDeviceOperations.RemovedFromGroup, ConversationRef.Group(groupId), "server", now), state.Options)
            : null;
    }

    private HashSet<string> Mirror(string userId)
    {
        if (!state.GroupsOfUser.TryGetValue(userId, out var groups))
        {
            groups = new HashSet<string>(StringComparer.Ordinal);
            state.GroupsOfUser[userId] = groups;
        }

        return groups;
    }

    private GroupState ExistingGroup(string groupId) =>
        state.Groups.GetValueOrDefault(groupId) ?? throw StoreErrors.GroupNotFound(groupId);
}
