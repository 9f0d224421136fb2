using RoamingHub.Contracts;
using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>
/// Calls a user-side script whose inputs are one conversation, the user's bounds, its event and the operation window,
/// and whose reply is <c>{ok, entry, event}</c> or a status alone (<c>delete_remote_conversation.lua</c>,
/// <c>mark_conversation_unread.lua</c>).
/// </summary>
internal static class ConversationEventScript
{
    /// <summary>With <paramref name="operationKey"/>, the reply is stored as that operation's outcome, or is the one stored before.</summary>
    public static async Task<EventReply> RunAsync(
        RedisScript script, RedisStoreContext store, string userId, ConversationRef conversation, MultiDeviceEvent template, string? operationKey)
    {
        var reply = (await script.RunAsync(
            store.Db,
            store.Keys.UserScriptKeys(userId, conversation.Member, store.OperationKey(userId, operationKey)),
            [conversation.Member, store.UserBounds(template.Timestamp), RedisProtocol.WriteEvent(template), store.OperationWindow(operationKey)])
            .ConfigureAwait(false)).UnlessCompleted();
        return reply.Status == ScriptStatus.Ok ? new EventReply(reply.Status, reply.Entry(1), reply.Event(2)) : new EventReply(reply.Status, null);
    }
}
