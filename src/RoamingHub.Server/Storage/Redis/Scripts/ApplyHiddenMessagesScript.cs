using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using StackExchange.Redis;
using static RoamingHub.Server.Storage.Redis.Scripts.ScriptArgs;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>apply_hidden_messages.lua</c>: the user's side of a one-way deletion.</summary>
internal static class ApplyHiddenMessagesScript
{
    private static readonly RedisScript Script = RedisScript.Get("apply_hidden_messages.lua");

    /// <summary>
    /// Applies to <paramref name="userId"/>'s entry what <see cref="HideMessagesScript"/> hid: everything at or below
    /// <paramref name="watermark"/> and the messages at <paramref name="hiddenPositions"/>; <paramref name="newest"/>
    /// replaces a hidden last message. Logs <paramref name="template"/> unless it is null.
    /// </summary>
    public static async Task<EventReply> RunAsync(
        RedisStoreContext store, string userId, ConversationRef conversation, long watermark, byte[]? newest,
        IReadOnlyList<long> hiddenPositions, MultiDeviceEvent? template, long now)
    {
        var reply = await Script.RunAsync(
            store.Db,
            store.Keys.UserScriptKeys(userId, conversation.Member),
            [
                conversation.Member, Number(watermark), newest ?? RedisValue.EmptyString, store.UserBounds(now),
                template is null ? RedisValue.EmptyString : RedisProtocol.WriteEvent(template), .. hiddenPositions.Select(Number),
            ]).ConfigureAwait(false);
        return new EventReply(reply.Status, reply.Entry(1));
    }
}
