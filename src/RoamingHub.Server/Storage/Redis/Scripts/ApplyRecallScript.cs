using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using StackExchange.Redis;
using static RoamingHub.Server.Storage.Redis.Scripts.ScriptArgs;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>apply_recall.lua</c>: one participant's side of a recall.</summary>
internal static class ApplyRecallScript
{
    private static readonly RedisScript Script = RedisScript.Get("apply_recall.lua");

    /// <summary>
    /// Makes <paramref name="userId"/>'s entry of <paramref name="conversation"/> stop showing and counting the message
    /// recalled at <paramref name="position"/> (<paramref name="newest"/>, or none, replaces it as the last message)
    /// and appends <paramref name="template"/> once per message; answers the entry, or null when <paramref name="newest"/>
    /// was recalled too and that recall reached this user already (the script answered stale and wrote nothing: ask the
    /// chat step for a newer candidate and call again). <paramref name="db"/> may be a batch that carries every
    /// participant's call.
    /// </summary>
    public static async Task<StreamEntryRef?> RunAsync(
        IDatabaseAsync db, RedisStoreContext store, string userId, ConversationRef conversation, string msgId, long position,
        RecallMessageScript.Candidate? newest, MultiDeviceEvent template, long now)
    {
        var reply = await Script.RunAsync(
            db,
            store.Keys.UserScriptKeys(userId, conversation.Member),
            [
                conversation.Member, msgId, Number(position), newest?.Entry ?? RedisValue.EmptyString, newest?.MsgId ?? RedisValue.EmptyString,
                store.UserBounds(now), RedisProtocol.WriteEvent(template),
            ]).ConfigureAwait(false);
        return reply.Status == ScriptStatus.Stale ? null : reply.Entry(1)!.Value;
    }
}
