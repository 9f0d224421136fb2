using RoamingHub.Contracts;
using RoamingHub.Server.Settings;
using RoamingHub.Server.Storage;
using RoamingHub.Tests.Infrastructure;
using StackExchange.Redis;

namespace RoamingHub.Tests.Storage;

/// <summary>
/// Deleting a group with a long history neither blocks Redis nor leaves it behind: shown on a redis-server of the
/// test's own, whose counters no other test moves.
/// </summary>
public sealed class RedisGroupDeletionTests
{
    private const long T0 = 1_790_000_000_000;

    [Fact]
    public async Task A_deleted_groups_history_is_freed_in_the_background_and_only_expiring_keys_stay()
    {
        using var redis = RedisServer.StartDedicated(durable: false);
        using var admin = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true");
        var server = admin.GetServer(redis.ConnectionString);
        var prefix = TestIds.Prefix();
        var store = Stores.Redis(admin, new RoamingOptions { RedisKeyPrefix = prefix });
        var (owner, member, team) = (TestIds.User("owner"), TestIds.User("member"), TestIds.User("team"));
        await store.Groups.CreateGroupAsync(team, owner, [member], T0, default);
        for (var i = 0; i < 2000; i++)
        {
            var draft = new MessageDraft(Guid.NewGuid().ToString("N"), ChatTypes.GroupChat, i % 2 == 0 ? owner : member, team, "text", $"message {i}", null);
            await store.Messages.SendMessageAsync(draft, T0 + i, true, default);
        }

        var freedBefore = LazyFreed(server);
        await store.Groups.DeleteGroupAsync(team, T0 + 3000, default);

        // UNLINK hands a large value to a background thread, which counts it (lazyfreed_objects) once it has freed it;
        // DEL would free it inside the script and count nothing.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (LazyFreed(server) < freedBefore + 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(LazyFreed(server) >= freedBefore + 2, $"lazily freed: {LazyFreed(server) - freedBefore}");
        var left = server.Keys(pattern: $"{prefix}:{{g:{team}}}:*").Select(key => (string)key!).ToList();
        Assert.All(left, key => Assert.NotNull(admin.GetDatabase().KeyTimeToLive(key)));
        Assert.DoesNotContain(left, key => key.EndsWith(":msgs", StringComparison.Ordinal) || key.EndsWith(":bodies", StringComparison.Ordinal));
    }

    private static long LazyFreed(IServer server) =>
        long.Parse(server.Info("memory").SelectMany(section => section).Single(pair => pair.Key == "lazyfreed_objects").Value, System.Globalization.CultureInfo.InvariantCulture);
}
