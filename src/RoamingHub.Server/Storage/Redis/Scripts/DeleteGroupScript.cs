using RoamingHub.Server.Domain;
using static RoamingHub.Server.Storage.Redis.Scripts.ScriptArgs;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>delete_group.lua</c>: deletes a group and its history, leaving a tombstone of the members still to be told.</summary>
internal static class DeleteGroupScript
{
    private static readonly RedisScript Script = RedisScript.Get("delete_group.lua");

    /// <summary>The members still to be told, when <see cref="Status"/> is <see cref="ScriptStatus.Ok"/>.</summary>
    public sealed record Reply(ScriptStatus Status, IReadOnlyList<string> Members);

    public static async Task<Reply> RunAsync(RedisStoreContext store, string groupId)
    {
        var (keys, chat) = (store.Keys, ConversationRef.GroupChatKey(groupId));
        var reply = await Script.RunAsync(
            store.Db,
            [
                keys.GroupInfo(chat), keys.GroupMembers(chat), keys.Messages(chat), keys.MessageBodies(chat), keys.MessageClock(chat), keys.Watermarks(chat),
                keys.GroupDeletion(chat), keys.Recalled(chat),
            ],
            [Number(store.ChatKeyLifetime)]).ConfigureAwait(false);
        return new Reply(reply.Status, reply.Texts(1));
    }
}
