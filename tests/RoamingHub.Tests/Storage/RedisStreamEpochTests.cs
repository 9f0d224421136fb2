using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Settings;
using RoamingHub.Tests.Infrastructure;
using StackExchange.Redis;

namespace RoamingHub.Tests.Storage;

/// <summary>Epochs against a real Redis restarted from an older RDB snapshot: numbering goes back, and no device misses it.</summary>
public sealed class RedisStreamEpochTests
{
    private const long T0 = 1_790_000_000_000;

    [Fact]
    public async Task A_restart_from_an_older_snapshot_starts_a_new_epoch_and_a_device_past_the_snapshot_must_resync()
    {
        using var redis = RedisServer.StartDedicated(durable: false);
        using var admin = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true,abortConnect=false,connectTimeout=1000");
        var store = Stores.Redis(admin, new RoamingOptions { RedisKeyPrefix = TestIds.Prefix() });
        var alice = TestIds.User("alice");
        async Task<bool> PinAsync(int i) =>
            (await store.Conversations.PinConversationAsync(alice, new ConversationRef(ChatTypes.SingleChat, $"peer{i}"), true, "phone", T0 + i, default)).IsPinned;

        for (var i = 1; i <= 3; i++)
        {
            await PinAsync(i);
        }

        await admin.GetDatabase().ExecuteAsync("SAVE");   // the snapshot the restart comes back from
        for (var i = 4; i <= 6; i++)
        {
            await PinAsync(i);
        }

        var seen = await store.Events.GetSyncStateAsync(alice, T0, default);
        redis.Kill();
        redis.Start();
        await Retry.UntilAcknowledgedAsync(() => PinAsync(7));

        var now = await store.Events.GetSyncStateAsync(alice, T0, default);
        var pastTheSnapshot = await store.Events.SyncEventsAsync(alice, 6, seen.Epoch, 100, T0 + 100, default);
        var withoutEpoch = await store.Events.SyncEventsAsync(alice, 6, null, 100, T0 + 100, default);
        var withinTheSnapshot = await store.Events.SyncEventsAsync(alice, 3, seen.Epoch, 100, T0 + 100, default);

        Assert.Equal(6, seen.LastSeq);
        Assert.Equal(4, now.LastSeq);   // the numbering went back: seq 4 now is another change than the seq 4 seen
        Assert.NotEqual(seen.Epoch, now.Epoch);
        Assert.Equal((true, 4L, now.Epoch), (pastTheSnapshot.ResyncRequired, pastTheSnapshot.LastSeq, pastTheSnapshot.Epoch));
        Assert.True(withoutEpoch.ResyncRequired);
        Assert.Equal((false, now.Epoch), (withinTheSnapshot.ResyncRequired, withinTheSnapshot.Epoch));
        Assert.Equal([(4L, "peer7", now.Epoch)], withinTheSnapshot.Events.Select(e => (e.Seq, e.ConversationId, e.Epoch)));
    }
}
