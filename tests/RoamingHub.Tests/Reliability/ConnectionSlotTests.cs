using Microsoft.Extensions.Options;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Features.Connections;
using RoamingHub.Server.Settings;
using RoamingHub.Tests.Infrastructure;
using RoamingHub.Tests.Storage;

namespace RoamingHub.Tests.Reliability;

/// <summary>A user's places in the connection count: a refused connect holds none, a closed connection gives its place back.</summary>
public sealed class ConnectionSlotTests
{
    [Fact]
    public async Task A_refused_connect_holds_no_place_and_a_disconnect_gives_the_place_back()
    {
        var options = Options.Create(new RoamingOptions { MaxConnectionsPerUser = 1 });
        var stores = Stores.InMemory(options.Value);
        var registry = new ConnectionRegistry();
        var node = new NodePresence(TimeProvider.System);
        node.UpdateLiveNodes([]);
        var connect = new ConnectDeviceHandler(stores.Presence, registry, node, TimeProvider.System, options);
        var disconnect = new DisconnectDeviceHandler(stores.Presence, registry, node);
        var alice = TestIds.User("alice");

        await connect.Handle(new ConnectDevice(alice, "c1"), default);
        var refused = await Assert.ThrowsAsync<RoamingException>(() => connect.Handle(new ConnectDevice(alice, "c2"), default).AsTask());
        Assert.Equal("CONNECTION_LIMIT_EXCEEDED", refused.Code);
        Assert.Equal([(alice, "c1")], registry.Snapshot());

        await disconnect.Handle(new DisconnectDevice(alice, "c1"), default);
        await connect.Handle(new ConnectDevice(alice, "c3"), default);
        Assert.Equal([(alice, "c3")], registry.Snapshot());
    }
}
