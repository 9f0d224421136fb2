namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>abandon_operation.lua</c>: releases a claim that has no outcome yet.</summary>
internal static class AbandonOperationScript
{
    private static readonly RedisScript Script = RedisScript.Get("abandon_operation.lua");

    public static async Task<ScriptStatus> RunAsync(RedisStoreContext store, string userId, string operationKey)
    {
        var reply = await Script.RunAsync(store.Db, [store.Keys.Operation(userId, operationKey)], []).ConfigureAwait(false);
        return reply.Status;
    }
}
