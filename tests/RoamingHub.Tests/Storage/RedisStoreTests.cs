using Microsoft.Extensions.Options;
using RoamingHub.Server.Settings;
using RoamingHub.Server.Storage.Redis;
using RoamingHub.Tests.Infrastructure;
using StackExchange.Redis;

namespace RoamingHub.Tests.Storage;

/// <summary>
/// Tests of the Redis store that also read or write its keys directly (to see what it left, or to damage it): each
/// test gets a store with a key prefix of its own on the shared test redis-server.
/// </summary>
public abstract class RedisStoreTests
{
    protected const long T0 = 1_790_000_000_000;

    protected RedisStoreTests()
    {
        var prefix = TestIds.Prefix();
        Keys = new RedisKeys(prefix);
        Store = Stores.Redis(RedisServer.Instance.Multiplexer, new RoamingOptions { RedisKeyPrefix = prefix });
    }

    private protected RedisKeys Keys { get; }

    private protected Stores Store { get; }

    protected static IDatabase Db => RedisServer.Instance.Multiplexer.GetDatabase();
}
