using RoamingHub.Contracts;
using RoamingHub.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RoamingHub.Tests.Reliability;

/// <summary>
/// What a client can make Redis hold, driven through the hub as a client would and measured under the test's key
/// prefix: nothing a call writes outlives its documented lifetime, so the worst case returns to the baseline.
/// </summary>
public sealed class BoundedMemoryTests(ITestOutputHelper output)
{
    private const int Recipients = 40;
    private static readonly string Body = new('x', 8 * 1024);

    [Fact]
    public async Task Messages_to_ids_that_never_connect_leave_nothing_of_them_once_the_user_lifetime_has_passed()
    {
        var prefix = TestIds.Prefix();
        var keyspace = new RedisKeyspace(prefix);
        var lifetime = TimeSpan.FromSeconds(10);
        using var node = RoamingNode.OnRedis(prefix, new Dictionary<string, string?>
        {
            ["Roaming:UserInactivityLifetime"] = lifetime.ToString(),
            ["Roaming:RateLimit:PerConnectionBurst"] = "1000",
            ["Roaming:RateLimit:PerUserBurst"] = "1000",
        });
        var stem = TestIds.User("never");
        await using var sender = await node.ConnectAsync(TestIds.User("sender"));

        var (keys, bytes, lasting) = (0, 0L, new List<string>());
        for (var i = 0; i < Recipients; i++)
        {
            await sender.SendMessageAsync(new SendMessageRequest { To = $"{stem}-{i}", ChatType = ChatTypes.SingleChat, Body = Body });
            var theirs = await keyspace.UserKeysAsync($"{stem}-{i}");
            (keys, bytes) = (keys + theirs.Count, bytes + await RedisKeyspace.BytesAsync(theirs));
            lasting.AddRange(await RedisKeyspace.LastingAsync(theirs));
        }

        var chats = await keyspace.KeysAsync($"{prefix}:{{s:");
        output.WriteLine($"per recipient that never connects: {keys / (double)Recipients:0.0} keys, {bytes / Recipients} bytes of their own; " +
            $"{await RedisKeyspace.BytesAsync(chats) / Recipients} bytes in the chat with the sender");
        Assert.True(keys >= Recipients, $"each recipient had keys right after the send: {keys}");
        Assert.Empty(lasting);
        // Nothing else the calls wrote lasts either: the one key without expiry is the node table, one field per node.
        Assert.Equal([$"{prefix}:nodes"], await RedisKeyspace.LastingAsync(await keyspace.KeysAsync()));

        Assert.True(await keyspace.GoneAsync($"{prefix}:{{u:{stem}-", lifetime + TimeSpan.FromSeconds(60)), "the recipients' keys outlived the user lifetime");
        var chatsLeft = await keyspace.KeysAsync($"{prefix}:{{s:");
        Assert.All(await Task.WhenAll(chatsLeft.Select(key => RedisServer.Instance.Multiplexer.GetDatabase().KeyTimeToLiveAsync(key))),
            ttl => Assert.InRange(ttl ?? TimeSpan.MaxValue, TimeSpan.Zero, TimeSpan.FromDays(31)));
        output.WriteLine($"after the user lifetime: {(await keyspace.KeysAsync($"{prefix}:{{u:{stem}-")).Count} keys of theirs; " +
            $"{chatsLeft.Count} chat keys left, each expiring within retention + 1 day");
    }
}
