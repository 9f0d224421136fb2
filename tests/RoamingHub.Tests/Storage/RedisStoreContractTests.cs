using Microsoft.Extensions.Options;
using RoamingHub.Server.Settings;
using RoamingHub.Server.Storage;
using RoamingHub.Server.Storage.Redis;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Storage;

public sealed class RedisStoreContractTests : StoreContract
{
    internal override Stores CreateStore(RoamingOptions options)
    {
        options.RedisKeyPrefix = TestIds.Prefix();
        return Stores.Redis(RedisServer.Instance.Multiplexer, options);
    }
}
