using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Storage.Redis.Scripts;

namespace RoamingHub.Server.Storage.Redis;

/// <summary>
/// Groups in Redis: the member list under the group's hash tag, mirrored into each member's <c>groups</c> set under
/// theirs. A change is a script on the group, then a step per member; a repeat of a change whose member steps never
/// ran finishes them before it is refused.
/// </summary>
internal sealed class RedisGroupStore(RedisStoreContext store) : IGroupStore
{
    public async ValueTask<Group> CreateGroupAsync(string groupId, string owner, IReadOnlyCollection<string> members, long now, CancellationToken cancellationToken)
    {
        var all = members.Append(owner).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        switch (await CreateGroupScript.RunAsync(store, groupId, owner, all, now).ConfigureAwait(false))
        {
            case ScriptStatus.AlreadyExists:
                // A repeat of a create whose second step failed: finish mirroring the members it has, then say so.
                var existing = await GetGroupAsync(groupId, cancellationToken).ConfigureAwait(false);
                await MirrorMembershipAsync(groupId, existing?.Members ?? []).ConfigureAwait(false);
                throw StoreErrors.GroupExists(groupId);
            case ScriptStatus.TooManyMembers:
                throw StoreErrors.TooManyMembers(store.Options.MaxGroupMembers);
        }

        await MirrorMembershipAsync(groupId, all).ConfigureAwait(false);
        return new Group { GroupId = groupId, Owner = owner, Members = all, CreatedTime = now };
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
        var result = await AddGroupMembersScript.RunAsync(store, groupId, [.. users.Distinct(StringComparer.Ordinal)]).ConfigureAwait(false);
        switch (result.Status)
        {
            case ScriptStatus.NotFound:
                throw StoreErrors.GroupNotFound(groupId);
            case ScriptStatus.TooManyMembers:
                throw StoreErrors.TooManyMembers(store.Options.MaxGroupMembers);
        }

        await MirrorMembershipAsync(groupId, result.Added).ConfigureAwait(false);
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
                // A repeat of a removal whose second step failed: finish the user's side, then say they are gone.
                await LeaveAsync(groupId, userId, now).ConfigureAwait(false);
                throw StoreErrors.NotInGroup(userId, groupId);
            default:
                return await LeaveAsync(groupId, userId, now).ConfigureAwait(false);
        }
    }

    public async ValueTask<IReadOnlyList<(string UserId, MultiDeviceEvent? Event)>> DeleteGroupAsync(string groupId, long now, CancellationToken cancellationToken)
    {
        var deleted = await DeleteGroupScript.RunAsync(store, groupId).ConfigureAwait(false);
        if (deleted.Status == ScriptStatus.NotFound)
        {
            throw StoreErrors.GroupNotFound(groupId);
        }

        var events = await Task.WhenAll(deleted.Members.Select(m => LeaveAsync(groupId, m, now))).ConfigureAwait(false);
        return [.. deleted.Members.Zip(events)];
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

    /// <summary>The user's side of leaving the group, shared by removal and deletion; null when they had nothing of it left.</summary>
    private async Task<MultiDeviceEvent?> LeaveAsync(string groupId, string userId, long now)
    {
        var template = EventTemplate.For(MultiDeviceOperations.RemovedFromGroup, ConversationRef.Group(groupId), "server", now);
        var left = await LeaveGroupScript.RunAsync(store, userId, groupId, template).ConfigureAwait(false);
        return left.Entry is { } entry ? entry.Stamp(template) : null;
    }
}
