using Microsoft.Extensions.Options;
using RoamingHub.Contracts;
using RoamingHub.Server.Settings;
using RoamingHub.Server.Storage;
using RoamingHub.Server.Storage.Redis;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Storage;

/// <summary>
/// The whole store contract on a three-master Redis Cluster. A script whose keys spanned hash slots would fail its
/// test: StackExchange.Redis refuses it before sending, and a cluster node would answer CROSSSLOT. After every test
/// each master must also report that it answered no CROSSSLOT error to anyone.
/// </summary>
public sealed class RedisClusterStoreContractTests : StoreContract, IDisposable
{
    private const long T0 = 1_790_000_000_000;
    private readonly string _prefix = TestIds.Prefix();

    internal override Stores CreateStore(RoamingOptions options)
    {
        options.RedisKeyPrefix = _prefix;
        return Stores.Redis(RedisCluster.Instance.Multiplexer, options);
    }

    public void Dispose() => Assert.Equal(0, RedisCluster.Instance.CrossSlotErrors());

    [Fact]
    public async Task Users_and_chats_spread_over_all_three_masters_and_none_answers_CROSSSLOT()
    {
        var store = CreateStore(new RoamingOptions());
        var users = Enumerable.Range(0, 12).Select(i => TestIds.User($"user{i}")).ToList();
        for (var i = 0; i < users.Count; i++)
        {
            await store.Messages.SendMessageAsync(
                new MessageDraft(Guid.NewGuid().ToString("N"), ChatTypes.SingleChat, users[i], users[(i + 1) % users.Count], "text", "hi", null), T0, true, default);
        }

        var keysPerMaster = RedisCluster.Instance.Servers.Select(server => server.Keys(pattern: _prefix + ":*").Count()).ToList();

        Assert.All(keysPerMaster, count => Assert.True(count > 0, $"keys per master: {string.Join(", ", keysPerMaster)}"));
        Assert.All(RedisCluster.Instance.Servers, server => Assert.DoesNotContain("CROSSSLOT", RedisCluster.ErrorStats(server).Keys));
    }
}
