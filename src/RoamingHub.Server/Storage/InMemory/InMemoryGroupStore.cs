using RoamingHub.Contracts;
using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage.InMemory;

/// <summary>The embedded store's groups: members kept with the group's chat, and each user's groups.</summary>
internal sealed class InMemoryGroupStore(InMemoryState state) : IGroupStore
{
    public ValueTask<GroupCreated> CreateGroupAsync(string groupId, string owner, IReadOnlyCollection<string> members, long now, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            var chat = state.Chat(ConversationRef.Group(groupId), owner);
            var all = members.Append(owner).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            if (chat.Group is { } existing)
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

            chat.Group = new GroupState(owner, now, [.. all]);
            all.ForEach(m => state.User(m).Groups.Add(groupId));
            return ValueTask.FromResult(new GroupCreated(chat.Group.ToWire(groupId), []));
        }
    }

    public ValueTask<Group?> GetGroupAsync(string groupId, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            return ValueTask.FromResult(state.Chats.GetValueOrDefault(ConversationRef.GroupChatKey(groupId))?.Group?.ToWire(groupId));
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
                state.User(user).Groups.Add(groupId);
            }

            return ValueTask.FromResult<IReadOnlyList<string>>(added);
        }
    }

    public ValueTask<MultiDeviceEvent?> RemoveGroupMemberAsync(string groupId, string userId, long now, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
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

            var chat = state.Chat(ConversationRef.Group(groupId), userId);
            chat.Watermarks.Remove(userId);
            chat.Hidden.Remove(userId);
            return ValueTask.FromResult(LeaveGroup(groupId, userId, now));
        }
    }

    /// <remarks>Atomic, so it never leaves a deletion in progress: a repeat finds no group and is <c>NOT_FOUND</c>.</remarks>
    public ValueTask<IReadOnlyList<GroupLeave>> DeleteGroupAsync(string groupId, long now, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            var group = ExistingGroup(groupId);
            state.Chats.Remove(ConversationRef.GroupChatKey(groupId));
            return ValueTask.FromResult<IReadOnlyList<GroupLeave>>(
                [.. group.Members.Order(StringComparer.Ordinal).Select(m => new GroupLeave(m, LeaveGroup(groupId, m, now)))]);
        }
    }

    public ValueTask<IReadOnlyList<string>> GetGroupsOfUserAsync(string userId, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            return ValueTask.FromResult<IReadOnlyList<string>>([.. state.User(userId).Groups]);
        }
    }

    private MultiDeviceEvent? LeaveGroup(string groupId, string userId, long now)
    {
        var user = state.User(userId);
        var member = ConversationRef.Group(groupId).Member;
        var was = user.Groups.Remove(groupId);
        var had = user.Forget(member);
        return was || had
            ? user.Append(EventTemplate.For(MultiDeviceOperations.RemovedFromGroup, ConversationRef.Group(groupId), "server", now), state.Options)
            : null;
    }

    private GroupState ExistingGroup(string groupId) =>
        state.Chats.GetValueOrDefault(ConversationRef.GroupChatKey(groupId))?.Group
        ?? throw StoreErrors.GroupNotFound(groupId);
}
