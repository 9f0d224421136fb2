using Microsoft.Extensions.Options;
using RoamingHub.Server.Hosting;
using RoamingHub.Server.Storage;
using RoamingHub.Server.Storage.InMemory;

namespace RoamingHub.Tests.Storage;

public sealed class InMemoryStoreContractTests : StoreContract
{
    internal override IRoamingStore CreateStore(RoamingOptions options) => new InMemoryRoamingStore(Options.Create(options));
}
