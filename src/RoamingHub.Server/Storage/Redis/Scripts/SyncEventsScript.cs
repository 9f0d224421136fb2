namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>sync_events.lua</c>: reads the user's stream after a seq.</summary>
internal static class SyncEventsScript
{
    private static readonly RedisScript Script = RedisScript.Get("sync_events.lua");

    /// <summary>
    /// The user's newest seq and epoch, and the entries after the one asked for (as
    /// <see cref="RedisProtocol.ReadStreamEntry"/> reads them) unless <see cref="ScriptStatus.ResyncRequired"/>.
    /// </summary>
    public sealed record Reply(ScriptStatus Status, long LastSeq, string Epoch, IReadOnlyList<LoggedEntry> Entries);

    public static async Task<Reply> RunAsync(RedisStoreContext store, string userId, long sinceSeq, string? epoch, int limit, long now)
    {
        var reply = await Script.RunAsync(
            store.Db, store.Keys.UserScriptKeys(userId), [sinceSeq, limit, epoch ?? "", store.UserBounds(now)]).ConfigureAwait(false);
        var entries = new List<LoggedEntry>(reply.Length - 3);
        for (var i = 3; i < reply.Length; i++)
        {
            entries.Add(RedisProtocol.ReadStreamEntry(reply.Blob(i)));
        }

        return new Reply(reply.Status, reply.Number(1), reply.Text(2), entries);
    }
}
