using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using static RoamingHub.Server.Storage.Redis.Scripts.ScriptArgs;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>
/// Calls <c>pin_conversation.lua</c>: pins or unpins a conversation, logs the event and, with a publisher, publishes
/// its push to the other nodes.
/// </summary>
internal static class PinConversationScript
{
    private static readonly RedisScript Script = RedisScript.Get("pin_conversation.lua");

    /// <summary>
    /// For <see cref="ScriptStatus.Unchanged"/>, the pin time the conversation keeps (null when unpinned); for
    /// <see cref="ScriptStatus.Ok"/>, the logged event with its seq, and whether this call published its push (not a
    /// repeat answered from the operation key, nor a call whose publish Redis refused).
    /// </summary>
    public sealed record Reply(ScriptStatus Status, long? PinnedTime, MultiDeviceEvent? Event, bool Published = false);

    /// <summary>With <paramref name="operationKey"/>, the reply is stored as that operation's outcome, or is the one stored before.</summary>
    public static async Task<Reply> RunAsync(
        RedisStoreContext store, string userId, ConversationRef conversation, bool pinned, long now, MultiDeviceEvent template, string? operationKey)
    {
        var reply = (await Script.RunAsync(
            store.Db,
            store.Keys.UserScriptKeys(userId, conversation.Member, store.OperationKey(userId, operationKey)),
            [
                conversation.Member, Flag(pinned), Number(now), store.Options.MaxPinnedConversations, store.Options.MaxConversationsPerUser,
                store.UserBounds(template.Timestamp), RedisProtocol.WriteEvent(template), conversation.IsGroup ? conversation.Id : "",
                store.OperationWindow(operationKey), .. store.EntryDelivery(HubEvents.OnMultiDeviceEvent, userId),
            ]).ConfigureAwait(false)).UnlessCompleted();
        return reply.Status switch
        {
            ScriptStatus.Unchanged => new Reply(reply.Status, reply.OptionalNumber(1), null),
            ScriptStatus.Ok => new Reply(reply.Status, null, new EventReply(reply.Status, reply.Entry(1), reply.Event(2)).Event, reply.Length > 3 && reply.OptionalNumber(3) == 1),
            _ => new Reply(reply.Status, null, null),
        };
    }
}
