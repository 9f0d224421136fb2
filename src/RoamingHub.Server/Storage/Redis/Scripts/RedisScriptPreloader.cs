using RoamingHub.Server.Diagnostics;
using StackExchange.Redis;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>
/// Loads every script on every master when the node starts, so first calls go straight to EVALSHA. Best effort and
/// in the background: the node starts and serves (UNAVAILABLE) while Redis is away, and a master that lacks a script
/// then, or loses it later, gets it from the first call that needs it (<see cref="RedisScript.RunAsync"/>).
/// </summary>
internal sealed class RedisScriptPreloader(IConnectionMultiplexer redis, ILogger<RedisScriptPreloader> logger) : BackgroundService
{
    /// <summary>Loads every script on every connected master of <paramref name="redis"/>, a server or a cluster.</summary>
    public static Task LoadEverywhereAsync(IConnectionMultiplexer redis)
    {
        var masters = redis.GetEndPoints().Select(endpoint => redis.GetServer(endpoint)).Where(server => server.IsConnected && !server.IsReplica);
        return Task.WhenAll(masters.SelectMany(server => RedisScript.All.Select(script => script.LoadAsync(server))));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await LoadEverywhereAsync(redis).WaitAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.ScriptPreloadFailed(logger, ex);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The node stopped before Redis answered; there is nothing to finish.
        }
    }
}
