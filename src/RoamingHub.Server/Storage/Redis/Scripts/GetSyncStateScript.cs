using RoamingHub.Contracts;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>get_sync_state.lua</c>: where the user's stream stands.</summary>
internal static class GetSyncStateScript
{
    private static readonly RedisScript Script = RedisScript.Get("get_sync_state.lua");

    public static async Task<SyncState> RunAsync(RedisStoreContext store, string userId, long now)
    {
        var reply = await Script.RunAsync(store.Db, store.Keys.UserScriptKeys(userId), [store.UserBounds(now)]).ConfigureAwait(false);
        return new SyncState { LastSeq = reply.Number(1), Epoch = reply.Text(2) };
    }
}
