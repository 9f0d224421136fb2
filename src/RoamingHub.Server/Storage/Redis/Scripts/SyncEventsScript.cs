using RoamingHub.Contracts;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>sync_events.lua</c>: reads the user's event log after a seq.</summary>
internal static class SyncEventsScript
{
    private static readonly RedisScript Script = RedisScript.Get("sync_events.lua");

    /// <summary>The user's newest seq, and the events after the one asked for unless <see cref="ScriptStatus.ResyncRequired"/>.</summary>
    public sealed record Reply(ScriptStatus Status, long LastSeq, IReadOnlyList<MultiDeviceEvent> Events);

    public static async Task<Reply> RunAsync(RedisStoreContext store, string userId, long sinceSeq, int limit)
    {
        var reply = await Script.RunAsync(
            store.Db, [store.Keys.EventSeq(userId), store.Keys.Events(userId)], [sinceSeq, limit]).ConfigureAwait(false);
        var events = new List<MultiDeviceEvent>(reply.Length - 2);
        for (var i = 2; i < reply.Length; i++)
        {
            events.Add(RedisProtocol.ReadLoggedEvent(reply.Blob(i)));
        }

        return new Reply(reply.Status, reply.Number(1), events);
    }
}
