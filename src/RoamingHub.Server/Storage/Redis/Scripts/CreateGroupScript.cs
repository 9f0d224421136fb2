using RoamingHub.Server.Domain;
using StackExchange.Redis;
using static RoamingHub.Server.Storage.Redis.Scripts.ScriptArgs;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>create_group.lua</c>: creates a group with its members.</summary>
internal static class CreateGroupScript
{
    private static readonly RedisScript Script = RedisScript.Get("create_group.lua");

    /// <summary>The group's creation time, when <see cref="Status"/> is <see cref="ScriptStatus.Unchanged"/> (a repeat of the same create).</summary>
    public sealed record Reply(ScriptStatus Status, long? CreatedTime);

    /// <summary>Creates <paramref name="groupId"/> owned by <paramref name="owner"/> with <paramref name="members"/>, the owner among them, distinct.</summary>
    public static async Task<Reply> RunAsync(RedisStoreContext store, string groupId, string owner, IReadOnlyList<string> members, long now)
    {
        var chat = ConversationRef.GroupChatKey(groupId);
        var reply = await Script.RunAsync(
            store.Db,
            [store.Keys.GroupInfo(chat), store.Keys.GroupMembers(chat), store.Keys.GroupDeletion(chat)],
            [owner, Number(now), store.Options.MaxGroupMembers, .. members.Select(member => (RedisValue)member)]).ConfigureAwait(false);
        return new Reply(reply.Status, reply.Status == ScriptStatus.Unchanged ? reply.Number(1) : null);
    }
}
