using RoamingHub.Server.Storage.Redis.Scripts;

namespace RoamingHub.Server.Storage.Redis;

/// <summary>Outcomes of idempotent operations in Redis, one key per operation under the user's hash tag.</summary>
internal sealed class RedisOperationStore(RedisStoreContext store) : IOperationStore
{
    public async ValueTask<OperationClaim> BeginOperationAsync(string userId, string operationKey, TimeSpan lease, TimeSpan window, CancellationToken cancellationToken)
    {
        var claim = await BeginOperationScript.RunAsync(store, userId, operationKey, lease, window).ConfigureAwait(false);
        return claim.Status switch
        {
            ScriptStatus.Ok => new OperationClaim(Claimed: true, Outcome: null),
            ScriptStatus.Completed => new OperationClaim(Claimed: false, Outcome: claim.Outcome),
            _ => default,
        };
    }

    public async ValueTask CompleteOperationAsync(string userId, string operationKey, byte[] outcome, TimeSpan window, CancellationToken cancellationToken) =>
        await store.Db.StringSetAsync(store.Keys.Operation(userId, operationKey), outcome, window).ConfigureAwait(false);

    public async ValueTask AbandonOperationAsync(string userId, string operationKey, CancellationToken cancellationToken) =>
        await AbandonOperationScript.RunAsync(store, userId, operationKey).ConfigureAwait(false);
}
