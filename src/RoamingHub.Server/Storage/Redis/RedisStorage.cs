using RoamingHub.Server.Storage.Redis.Scripts;
using StackExchange.Redis;

namespace RoamingHub.Server.Storage.Redis;

/// <summary>
/// Registers the Redis store: one class per storage capability on one shared multiplexer, the loading of its scripts
/// at start, and its readiness check.
/// </summary>
internal static class RedisStorage
{
    public static IServiceCollection AddRedisStorage(this IServiceCollection services, string connectionString, TimeSpan storeTimeout)
    {
        var configuration = Configuration(connectionString, storeTimeout);
        services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(configuration));
        services.AddSingleton<RedisStoreContext>();
        services.AddSingleton<IMessageStore, RedisMessageStore>();
        services.AddSingleton<IConversationStore, RedisConversationStore>();
        services.AddSingleton<IConversationSettingsStore, RedisConversationSettingsStore>();
        services.AddSingleton<IGroupStore, RedisGroupStore>();
        services.AddSingleton<IEventLog, RedisEventLog>();
        services.AddSingleton<IPresenceStore, RedisPresenceStore>();
        services.AddSingleton<IOperationStore, RedisOperationStore>();
        services.AddSingleton<ISendBudget, RedisSendBudget>();
        services.AddHostedService<RedisScriptPreloader>();
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", timeout: TimeSpan.FromSeconds(2));
        return services;
    }

    /// <summary>
    /// How every Redis connection of a node is configured, the store's and the backplane's: start and keep serving
    /// while Redis is away; calls fail with UNAVAILABLE and <c>/readyz</c> says so. Calls made while it is unreachable
    /// fail at once instead of queueing, and none waits past the store timeout.
    /// </summary>
    public static ConfigurationOptions Configuration(string connectionString, TimeSpan timeout)
    {
        var configuration = ConfigurationOptions.Parse(connectionString);
        // The channels are named from Roaming:RedisKeyPrefix (Hubs/Delivery/DeliveryChannels.cs). A channelPrefix would
        // rename them for the node's own publishes and subscription but not for the store scripts that publish.
        if (!configuration.ChannelPrefix.IsNullOrEmpty)
        {
            throw new InvalidOperationException(
                "ConnectionStrings:Redis sets channelPrefix, which RoamingHub does not support: its channels take their names from Roaming:RedisKeyPrefix. Remove channelPrefix and set Roaming:RedisKeyPrefix instead.");
        }

        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        // Reconnect every half second rather than backing off: a node is useless without Redis, so it should be
        // serving again the moment Redis is.
        configuration.ReconnectRetryPolicy = new LinearRetry(500);
        var milliseconds = (int)timeout.TotalMilliseconds;
        configuration.AsyncTimeout = milliseconds;
        configuration.SyncTimeout = milliseconds;
        configuration.ConnectTimeout = Math.Min(configuration.ConnectTimeout, milliseconds);
        return configuration;
    }
}
