using RoamingHub.Contracts;
using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>update_conversation_ext.lua</c>: sets or clears the user's extension field of a conversation.</summary>
internal static class UpdateConversationExtScript
{
    private static readonly RedisScript Script = RedisScript.Get("update_conversation_ext.lua");

    /// <summary>Sets <paramref name="ext"/> (null clears it) and logs <paramref name="template"/> when it changed.</summary>
    public static async Task<EventReply> RunAsync(RedisStoreContext store, string userId, ConversationRef conversation, string? ext, MultiDeviceEvent template)
    {
        var reply = await Script.RunAsync(
            store.Db,
            store.Keys.UserScriptKeys(userId, conversation.Member),
            [conversation.Member, ext ?? "", store.UserBounds(template.Timestamp), RedisProtocol.WriteEvent(template)]).ConfigureAwait(false);
        return new EventReply(reply.Status, reply.Status == ScriptStatus.Ok ? reply.Entry(1) : null);
    }
}
