using RoamingHub.Contracts;
using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>delete_remote_conversation.lua</c>: removes a conversation from a user's list and logs the event.</summary>
internal static class DeleteRemoteConversationScript
{
    private static readonly RedisScript Script = RedisScript.Get("delete_remote_conversation.lua");

    public static async Task<EventReply> RunAsync(RedisStoreContext store, string userId, ConversationRef conversation, MultiDeviceEvent template)
    {
        var reply = await Script.RunAsync(
            store.Db,
            store.Keys.UserScriptKeys(userId, conversation.Member),
            [conversation.Member, store.UserBounds(template.Timestamp), RedisProtocol.WriteEvent(template)]).ConfigureAwait(false);
        return new EventReply(reply.Status, reply.Status == ScriptStatus.Ok ? reply.Entry(1) : null);
    }
}
