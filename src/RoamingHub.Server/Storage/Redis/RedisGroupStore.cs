using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Storage.Redis.Scripts;

namespace RoamingHub.Server.Storage.Redis;

/// <summary>
/// Groups in Redis: the member list under the group's hash tag, mirrored into each member's <c>groups</c> set under
/// theirs. A change is a script on the group, then a step per member; each member step can be repeated, so a repeat
/// of the call finishes whatever a failure left undone (see <see cref="IGroupStore"/>).
/// </summary>
internal sealed class RedisGroupStore(RedisStoreContext store) : IGroupStore
{
    public async ValueTask<GroupCreated> CreateGroupAsync(string groupId, string owner, IReadOnlyCollection<string> members, long now, CancellationToken cancellationToken)
    {
        var all = members.Append(owner).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var result = await CreateGroupScript.RunAsync(store, groupId, owner, all, now).ConfigureAwait(false);
        IReadOnlyList<GroupLeave> told = [];
        if (result.Status == ScriptStatus.Deleting)
        {
            // The id's last group is deleted but some of its members were never told: tell them before the id is
            // used again, so nothing of the new group reaches them, then create.
            told = await TellPendingAsync(groupId, now).ConfigureAwait(false);
            result = await CreateGroupScript.RunAsync(store, groupId, owner, all, now).ConfigureAwait(false);
        }

        switch (result.Status)
        {
            case ScriptStatus.AlreadyExists or ScriptStatus.Deleting:
                // Deleting again means another group of the id was created and deleted meanwhile: it was taken.
                throw StoreErrors.GroupExists(groupId);
            case ScriptStatus.TooManyMembers:
                throw StoreErrors.TooManyMembers(store.Options.MaxGroupMembers);
        }

        // Also for a repeat (Unchanged): its first attempt may have failed before every member was mirrored.
        await MirrorMembershipAsync(groupId, all).ConfigureAwait(false);
        return new GroupCreated(new Group { GroupId = groupId, Owner = owner, Members = all, CreatedTime = result.CreatedTime ?? now }, told);
    }

    public async ValueTask<Group?> GetGroupAsync(string groupId, CancellationToken cancellationToken)
    {
        var chat = ConversationRef.GroupChatKey(groupId);
        var info = store.Db.HashGetAsync(store.Keys.GroupInfo(chat), ["owner", "created"]);
        var members = store.Db.SetMembersAsync(store.Keys.GroupMembers(chat));
        var (fields, users) = (await info.ConfigureAwait(false), await members.ConfigureAwait(false));
        return fields[0].IsNull
            ? null
            : new Group { GroupId = groupId, Owner = (string)fields[0]!, CreatedTime = (long)fields[1], Members = [.. users.Select(u => (string)u!).Order(StringComparer.Ordinal)] };
    }

    public async ValueTask<IReadOnlyList<string>> AddGroupMembersAsync(string groupId, IReadOnlyCollection<string> users, CancellationToken cancellationToken)
    {
        var requested = users.Distinct(StringComparer.Ordinal).ToList();
        var result = await AddGroupMembersScript.RunAsync(store, groupId, requested).ConfigureAwait(false);
        switch (result.Status)
        {
            case ScriptStatus.NotFound:
                throw StoreErrors.GroupNotFound(groupId);
            case ScriptStatus.TooManyMembers:
                throw StoreErrors.TooManyMembers(store.Options.MaxGroupMembers);
        }

        // Every requested user is a member now, not only those newly added: a repeat after a failed mirror step
        // adds no one, and must still mirror them.
        await MirrorMembershipAsync(groupId, requested).ConfigureAwait(false);
        return result.Added;
    }

    public async ValueTask<MultiDeviceEvent?> RemoveGroupMemberAsync(string groupId, string userId, long now, CancellationToken cancellationToken)
    {
        switch (await RemoveGroupMemberScript.RunAsync(store, groupId, userId).ConfigureAwait(false))
        {
            case ScriptStatus.NotFound:
                throw StoreErrors.GroupNotFound(groupId);
            case ScriptStatus.OwnerCannotLeave:
                throw StoreErrors.OwnerCannotLeave();
            case ScriptStatus.NotInGroup:
                // Out of the list but with something of the group left on their side: a removal whose second step
                // failed, completed now. A user with nothing left was removed already, or never a member.
                return await LeaveAsync(groupId, userId, now).ConfigureAwait(false)
                    ?? throw StoreErrors.NotInGroup(userId, groupId);
            default:
                return await LeaveAsync(groupId, userId, now).ConfigureAwait(false);
        }
    }

    public async ValueTask<IReadOnlyList<GroupLeave>> DeleteGroupAsync(string groupId, long now, CancellationToken cancellationToken)
    {
        var deleted = await DeleteGroupScript.RunAsync(store, groupId).ConfigureAwait(false);
        return deleted.Status == ScriptStatus.NotFound
            ? throw StoreErrors.GroupNotFound(groupId)
            : await TellAsync(groupId, deleted.Members, now).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<string>> GetGroupsOfUserAsync(string userId, CancellationToken cancellationToken) =>
        [.. (await store.Db.SetMembersAsync(store.Keys.Groups(userId)).ConfigureAwait(false)).Select(g => (string)g!)];

    /// <summary>Adds the group to each user's mirror of their groups, in one pipelined batch.</summary>
    private async Task MirrorMembershipAsync(string groupId, IReadOnlyList<string> users)
    {
        var batch = store.Db.CreateBatch();
        var pending = users.Select(u => batch.SetAddAsync(store.Keys.Groups(u), groupId)).ToList();
        batch.Execute();
        await Task.WhenAll(pending).ConfigureAwait(false);
    }

    /// <summary>Tells the former members a deletion's tombstone still holds; read directly, so a live group of the id is never touched.</summary>
    private async Task<IReadOnlyList<GroupLeave>> TellPendingAsync(string groupId, long now)
    {
        var pending = await store.Db.SetMembersAsync(store.Keys.GroupDeletion(ConversationRef.GroupChatKey(groupId))).ConfigureAwait(false);
        return await TellAsync(groupId, [.. pending.Select(m => (string)m!)], now).ConfigureAwait(false);
    }

    /// <summary>
    /// Each former member's side of a deletion, all at once; a member leaves the tombstone only once their side is
    /// done, so whoever a failure skipped is told by the repeat. Being told twice is harmless: the second finds
    /// nothing and appends no event.
    /// </summary>
    private async Task<IReadOnlyList<GroupLeave>> TellAsync(string groupId, IReadOnlyList<string> members, long now)
    {
        var tombstone = store.Keys.GroupDeletion(ConversationRef.GroupChatKey(groupId));
        async Task<GroupLeave> TellOneAsync(string member)
        {
            var left = new GroupLeave(member, await LeaveAsync(groupId, member, now).ConfigureAwait(false));
            await store.Db.SetRemoveAsync(tombstone, member).ConfigureAwait(false);
            return left;
        }

        return await Task.WhenAll(members.Select(TellOneAsync)).ConfigureAwait(false);
    }

    /// <summary>The user's side of leaving the group, shared by removal and deletion; null when they had nothing of it left.</summary>
    private async Task<MultiDeviceEvent?> LeaveAsync(string groupId, string userId, long now)
    {
        var template = EventTemplate.For(MultiDeviceOperations.RemovedFromGroup, ConversationRef.Group(groupId), "server", now);
        var left = await LeaveGroupScript.RunAsync(store, userId, groupId, template).ConfigureAwait(false);
        return left.Entry is { } entry ? entry.Stamp(template) : null;
    }
}
