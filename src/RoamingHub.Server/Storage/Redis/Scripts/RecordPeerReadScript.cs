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
    /// <paramref name="readTimestamp"/>; when that moved the peer's view forward, answers the <c>PEER_READ</c> entry
    /// it appended to the peer's stream, else null.
    /// </summary>
    public static async Task<StreamEntryRef?> RunAsync(RedisStoreContext store, string peer, string reader, long readTimestamp, long now)
    {
        var member = new ConversationRef(ChatTypes.SingleChat, reader).Member;
        var template = EventTemplate.PeerRead(reader, readTimestamp, now);
        var reply = await Script.RunAsync(
            store.Db, store.Keys.UserScriptKeys(peer, member), [member, Number(readTimestamp), store.UserBounds(now), RedisProtocol.WriteEvent(template)])
            .ConfigureAwait(false);
        return reply.Status == ScriptStatus.Ok ? reply.Entry(1) : null;
    }
}
