using RoamingHub.Server.Domain;
using static RoamingHub.Server.Storage.Redis.Scripts.ScriptArgs;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>get_conversation.lua</c>: one conversation of a user's list, as the list shows it.</summary>
internal static class GetConversationScript
{
    private static readonly RedisScript Script = RedisScript.Get("get_conversation.lua");

    /// <summary>The entry, or null when the conversation is not in the user's list.</summary>
    public static async Task<ConversationEntry?> RunAsync(RedisStoreContext store, string userId, ConversationRef conversation, long now)
    {
        var reply = await Script.RunAsync(
            store.Db,
            store.Keys.UserScriptKeys(userId),
            [conversation.Member, Number(store.RetentionFloor(now)), store.UserBounds(now)]).ConfigureAwait(false);
        return reply.Status == ScriptStatus.Ok ? FetchConversationsScript.ReadEntries(reply, 1).SingleOrDefault() : null;
    }
}
