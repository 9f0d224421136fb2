using System.Reflection;
using Microsoft.Extensions.Options;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Features.Connections;
using RoamingHub.Server.Settings;
using RoamingHub.Server.Storage;
using RoamingHub.Tests.Infrastructure;
using RoamingHub.Tests.Storage;
using StackExchange.Redis;

namespace RoamingHub.Tests.Reliability;

/// <summary>A connection the store admits but cannot finish connecting gives its place in the user's count back.</summary>
public sealed class ConnectionSlotTests
{
    [Fact]
    public async Task A_connect_that_fails_after_admission_releases_the_place()
    {
        var options = Options.Create(new RoamingOptions { MaxConnectionsPerUser = 1 });
        var store = Stores.InMemory(options.Value);
        var registry = new ConnectionRegistry();
        var handler = new ConnectDeviceHandler(store.Presence, FailingGroupsStore.Over(store.Groups), registry, TimeProvider.System, options);
        var alice = TestIds.User("alice");

        await Assert.ThrowsAsync<RedisConnectionException>(() =>
            handler.Handle(new ConnectDevice(new Caller(alice, "phone", "c1")), default).AsTask());

        Assert.Empty(registry.Snapshot());
        Assert.True(await store.Presence.TryAddConnectionAsync(alice, "c2", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), default));
    }

    /// <summary>Forwards every call to a real store, except that reading a user's groups fails as Redis would.</summary>
    public class FailingGroupsStore : DispatchProxy
    {
        private IGroupStore _inner = null!;

        internal static IGroupStore Over(IGroupStore inner)
        {
            var proxy = Create<IGroupStore, FailingGroupsStore>();
            ((FailingGroupsStore)(object)proxy)._inner = inner;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod!.Name == nameof(IGroupStore.GetGroupsOfUserAsync)
                ? throw new RedisConnectionException(ConnectionFailureType.SocketFailure, CommandFlags.None, "Redis went away.")
                : targetMethod.Invoke(_inner, args);
    }
}
