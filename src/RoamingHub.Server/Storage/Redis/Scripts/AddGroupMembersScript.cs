using RoamingHub.Server.Domain;
using StackExchange.Redis;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>add_group_members.lua</c>: adds members to a group.</summary>
internal static class AddGroupMembersScript
{
    private static readonly RedisScript Script = RedisScript.Get("add_group_members.lua");

    /// <summary>The users newly added, when <see cref="Status"/> is <see cref="ScriptStatus.Ok"/>.</summary>
    public sealed record Reply(ScriptStatus Status, IReadOnlyList<string> Added);

    public static async Task<Reply> RunAsync(RedisStoreContext store, string groupId, IReadOnlyList<string> users)
    {
        var chat = ConversationRef.GroupChatKey(groupId);
        var reply = await Script.RunAsync(
            store.Db,
            [store.Keys.GroupInfo(chat), store.Keys.GroupMembers(chat)],
            [store.Options.MaxGroupMembers, .. users.Select(user => (RedisValue)user)]).ConfigureAwait(false);
        return new Reply(reply.Status, reply.Texts(1));
    }
}
