using Microsoft.Extensions.Options;
using RoamingHub.Server.Settings;
using RoamingHub.Server.Storage.Redis;
using StackExchange.Redis;

namespace RoamingHub.Tests.Storage;

internal sealed partial record Stores
{
    /// <summary>The Redis store's capabilities on <paramref name="redis"/> (a server or a cluster).</summary>
    public static Stores Redis(IConnectionMultiplexer redis, RoamingOptions options)
    {
        var store = new RedisRoamingStore(redis, Options.Create(options));
        return new Stores(store, store, store, store, store, store);
    }
}
