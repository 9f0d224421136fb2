using Microsoft.Extensions.Options;
using RoamingHub.Server.Settings;
using RoamingHub.Server.Storage.Redis;
using StackExchange.Redis;

namespace RoamingHub.Tests.Storage;

internal sealed partial record Stores
{
    /// <summary>The Redis store's capabilities on <paramref name="redis"/> (a server or a cluster), sharing one context as the server's do.</summary>
    public static Stores Redis(IConnectionMultiplexer redis, RoamingOptions options)
    {
        var store = new RedisStoreContext(redis, Options.Create(options));
        return new Stores(
            new RedisMessageStore(store), new RedisConversationStore(store), new RedisGroupStore(store),
            new RedisEventLog(store), new RedisPresenceStore(store), new RedisOperationStore(store),
            new RedisSendBudget(store), new RedisConversationSettingsStore(store))
        {
            MarkedIndex = async userId =>
                [.. (await redis.GetDatabase().SortedSetRangeByRankAsync(new RedisKeys(options.RedisKeyPrefix).Marked(userId))).Select(m => (string)m!)],
        };
    }
}
