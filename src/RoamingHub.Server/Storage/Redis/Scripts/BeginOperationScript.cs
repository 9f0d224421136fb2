namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>begin_operation.lua</c>: claims an idempotent operation.</summary>
internal static class BeginOperationScript
{
    private static readonly RedisScript Script = RedisScript.Get("begin_operation.lua");

    /// <summary>The stored outcome, when <see cref="Status"/> is <see cref="ScriptStatus.Completed"/>.</summary>
    public sealed record Reply(ScriptStatus Status, byte[]? Outcome);

    /// <summary>Claims for <paramref name="lease"/>; the key lives for <paramref name="window"/>, so a later claim knows it resumes an attempt.</summary>
    public static async Task<Reply> RunAsync(RedisStoreContext store, string userId, string operationKey, TimeSpan lease, TimeSpan window)
    {
        var reply = await Script.RunAsync(
            store.Db, [store.Keys.Operation(userId, operationKey)], [(long)lease.TotalMilliseconds, (long)window.TotalMilliseconds]).ConfigureAwait(false);
        return new Reply(reply.Status, reply.Status == ScriptStatus.Completed ? reply.Blob(1) : null);
    }
}
