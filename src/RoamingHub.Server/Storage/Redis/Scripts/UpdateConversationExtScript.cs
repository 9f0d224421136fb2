using RoamingHub.Contracts;
using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>update_conversation_ext.lua</c>: sets or clears the user's extension field of a conversation.</summary>
internal static class UpdateConversationExtScript
{
    private static readonly RedisScript Script = RedisScript.Get("update_conversation_ext.lua");

    /// <summary>
    /// Sets <paramref name="ext"/> (null clears it) and logs <paramref name="template"/> when it changed. With
    /// <paramref name="operationKey"/>, the reply is stored as that operation's outcome, or is the one stored before.
    /// </summary>
    public static async Task<EventReply> RunAsync(
        RedisStoreContext store, string userId, ConversationRef conversation, string? ext, MultiDeviceEvent template, string? operationKey)
    {
        var reply = (await Script.RunAsync(
            store.Db,
            store.Keys.UserScriptKeys(userId, conversation.Member, store.OperationKey(userId, operationKey)),
            [conversation.Member, ext ?? "", store.UserBounds(template.Timestamp), RedisProtocol.WriteEvent(template), store.OperationWindow(operationKey)])
            .ConfigureAwait(false)).UnlessCompleted();
        return reply.Status == ScriptStatus.Ok ? new EventReply(reply.Status, reply.Entry(1), reply.Event(2)) : new EventReply(reply.Status, null);
    }
}
