using Microsoft.Extensions.Options;
using RoamingHub.Server.Hosting;
using RoamingHub.Server.Storage;
using RoamingHub.Server.Storage.Redis;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Storage;

public sealed class RedisStoreContractTests : StoreContract
{
    internal override IRoamingStore CreateStore(RoamingOptions options)
    {
        options.RedisKeyPrefix = TestIds.Prefix();
        return new RedisRoamingStore(RedisServer.Instance.Multiplexer, Options.Create(options));
    }
}
