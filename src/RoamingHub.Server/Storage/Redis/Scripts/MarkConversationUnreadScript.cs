using RoamingHub.Contracts;
using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>mark_conversation_unread.lua</c>: marks a conversation unread and logs the event.</summary>
internal static class MarkConversationUnreadScript
{
    private static readonly RedisScript Script = RedisScript.Get("mark_conversation_unread.lua");

    /// <summary>With <paramref name="operationKey"/>, the reply is stored as that operation's outcome, or is the one stored before.</summary>
    public static async Task<EventReply> RunAsync(
        RedisStoreContext store, string userId, ConversationRef conversation, MultiDeviceEvent template, string? operationKey)
    {
        var reply = (await Script.RunAsync(
            store.Db,
            store.Keys.UserScriptKeys(userId, conversation.Member, store.OperationKey(userId, operationKey)),
            [conversation.Member, store.UserBounds(template.Timestamp), RedisProtocol.WriteEvent(template), store.OperationWindow(operationKey)])
            .ConfigureAwait(false)).UnlessCompleted();
        return reply.Status == ScriptStatus.Ok ? new EventReply(reply.Status, reply.Entry(1), reply.Event(2)) : new EventReply(reply.Status, null);
    }
}
