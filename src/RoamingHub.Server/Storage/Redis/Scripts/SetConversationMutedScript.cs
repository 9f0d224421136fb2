using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using static RoamingHub.Server.Storage.Redis.Scripts.ScriptArgs;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>set_conversation_muted.lua</c>: mutes or unmutes a conversation and logs the event.</summary>
internal static class SetConversationMutedScript
{
    private static readonly RedisScript Script = RedisScript.Get("set_conversation_muted.lua");

    /// <summary>
    /// For <see cref="ScriptStatus.Unchanged"/>, the mute there is (<see cref="RedisSettingsFormat.Mute"/>'s form); for
    /// <see cref="ScriptStatus.Ok"/>, the logged event with its seq.
    /// </summary>
    public sealed record Reply(ScriptStatus Status, string? Mute, MultiDeviceEvent? Event);

    /// <summary>With <paramref name="operationKey"/>, the reply is stored as that operation's outcome, or is the one stored before.</summary>
    public static async Task<Reply> RunAsync(
        RedisStoreContext store, string userId, ConversationRef conversation, string mute, long now, MultiDeviceEvent template, string? operationKey)
    {
        var reply = (await Script.RunAsync(
            store.Db,
            store.Keys.UserScriptKeys(userId, conversation.Member, store.OperationKey(userId, operationKey)),
            [
                conversation.Member, mute, Number(now), store.Options.MaxConversationsPerUser, store.UserBounds(template.Timestamp),
                RedisProtocol.WriteEvent(template), conversation.IsGroup ? conversation.Id : "", store.OperationWindow(operationKey),
            ]).ConfigureAwait(false)).UnlessCompleted();
        return reply.Status switch
        {
            ScriptStatus.Unchanged => new Reply(reply.Status, reply.Text(1), null),
            ScriptStatus.Ok => new Reply(reply.Status, null, new EventReply(reply.Status, reply.Entry(1), reply.Event(2)).Event),
            _ => new Reply(reply.Status, null, null),
        };
    }
}
