using Microsoft.Extensions.Options;
using RoamingHub.Server.Settings;
using RoamingHub.Server.Storage.InMemory;

namespace RoamingHub.Tests.Storage;

internal sealed partial record Stores
{
    /// <summary>The embedded store's capabilities, sharing one state.</summary>
    public static Stores InMemory(RoamingOptions options)
    {
        var store = new InMemoryRoamingStore(Options.Create(options));
        return new Stores(store, store, store, store, store, store);
    }
}
