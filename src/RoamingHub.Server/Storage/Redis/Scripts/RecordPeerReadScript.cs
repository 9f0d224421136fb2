using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using static RoamingHub.Server.Storage.Redis.Scripts.ScriptArgs;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>record_peer_read.lua</c>: records on a single chat's other side how far the reader read.</summary>
internal static class RecordPeerReadScript
{
    private static readonly RedisScript Script = RedisScript.Get("record_peer_read.lua");

    /// <summary>
    /// Records in <paramref name="peer"/>'s list that <paramref name="reader"/> read up to
    /// <paramref name="readTimestamp"/>; <see cref="ScriptStatus.Ok"/> when that moved the peer's view forward.
    /// </summary>
    public static async Task<ScriptStatus> RunAsync(RedisStoreContext store, string peer, string reader, long readTimestamp)
    {
        var member = new ConversationRef(ChatTypes.SingleChat, reader).Member;
        var reply = await Script.RunAsync(store.Db, store.Keys.UserScriptKeys(peer, member), [member, Number(readTimestamp)]).ConfigureAwait(false);
        return reply.Status;
    }
}
