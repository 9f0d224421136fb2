using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>remove_group_member.lua</c>: removes a member from a group, with their one-way deletions there.</summary>
internal static class RemoveGroupMemberScript
{
    private static readonly RedisScript Script = RedisScript.Get("remove_group_member.lua");

    public static async Task<ScriptStatus> RunAsync(RedisStoreContext store, string groupId, string userId)
    {
        var (keys, chat) = (store.Keys, ConversationRef.GroupChatKey(groupId));
        var reply = await Script.RunAsync(
            store.Db,
            [keys.GroupInfo(chat), keys.GroupMembers(chat), keys.Watermarks(chat), keys.Hidden(chat, userId)],
            [userId]).ConfigureAwait(false);
        return reply.Status;
    }
}
