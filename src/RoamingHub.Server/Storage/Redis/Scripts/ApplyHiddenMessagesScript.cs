using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using StackExchange.Redis;
using static RoamingHub.Server.Storage.Redis.Scripts.ScriptArgs;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>apply_hidden_messages.lua</c>: the user's side of a one-way deletion.</summary>
internal static class ApplyHiddenMessagesScript
{
    /// <summary>The event logged, with its seq (null when none was), and the event the caller is answered from.</summary>
    public sealed record Reply(MultiDeviceEvent? Event, MultiDeviceEvent Answer);

    private static readonly RedisScript Script = RedisScript.Get("apply_hidden_messages.lua");

    /// <summary>
    /// Applies to <paramref name="userId"/>'s entry what <see cref="HideMessagesScript"/> hid: everything at or below
    /// <paramref name="watermark"/> and the messages at <paramref name="hiddenPositions"/>; <paramref name="newest"/>
    /// (whose msgId is <paramref name="newestId"/>) replaces a hidden last message. Answers null when
    /// <paramref name="newest"/> was recalled and that recall reached the user already (the script answered stale and
    /// wrote nothing: ask the chat step for a newer candidate and call again). Logs <paramref name="template"/> when <paramref name="hidSomething"/>, else
    /// <paramref name="resumed"/> when the call resumes an earlier attempt of <paramref name="operationKey"/>. With
    /// <paramref name="operationKey"/>, the reply is stored as that operation's outcome, or is the one stored before.
    /// </summary>
    public static async Task<Reply?> RunAsync(
        RedisStoreContext store, string userId, ConversationRef conversation, long watermark, byte[]? newest, string? newestId, IReadOnlyList<long> hiddenPositions,
        MultiDeviceEvent template, bool hidSomething, MultiDeviceEvent? resumed, string? operationKey, long now)
    {
        var reply = (await Script.RunAsync(
            store.Db,
            store.Keys.UserScriptKeys(userId, conversation.Member, store.OperationKey(userId, operationKey)),
            [
                conversation.Member, Number(watermark), newest ?? RedisValue.EmptyString, newestId ?? RedisValue.EmptyString, store.UserBounds(now),
                RedisProtocol.WriteEvent(template),
                Flag(hidSomething), resumed is null ? RedisValue.EmptyString : RedisProtocol.WriteEvent(resumed), store.OperationWindow(operationKey),
                .. hiddenPositions.Select(Number),
            ]).ConfigureAwait(false)).UnlessCompleted();
        if (reply.Status == ScriptStatus.Stale)
        {
            return null;
        }

        var answer = reply.Event(2)!;
        return new Reply(new EventReply(reply.Status, reply.Entry(1), answer).Event, answer);
    }
}
