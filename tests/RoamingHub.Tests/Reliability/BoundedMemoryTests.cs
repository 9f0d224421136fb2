using System.Text.Json;
using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Storage.Redis;
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

        // Everything of theirs goes with the user lifetime but the unread sets, which live as long as the chat's
        // messages they count (an active user who leaves a conversation unread must keep its count).
        var deadline = DateTime.UtcNow + lifetime + TimeSpan.FromSeconds(60);
        while ((await keyspace.KeysAsync($"{prefix}:{{u:{stem}-")).Any(key => !key.Contains(":unread:", StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, "the recipients' keys outlived the user lifetime");
            await Task.Delay(250);
        }

        List<string> chatsLeft = [.. await keyspace.KeysAsync($"{prefix}:{{s:"), .. await keyspace.KeysAsync($"{prefix}:{{u:{stem}-")];
        Assert.All(await Task.WhenAll(chatsLeft.Select(key => RedisServer.Instance.Multiplexer.GetDatabase().KeyTimeToLiveAsync(key))),
            ttl => Assert.InRange(ttl ?? TimeSpan.MaxValue, TimeSpan.Zero, TimeSpan.FromDays(31)));
        output.WriteLine($"after the user lifetime: {(await keyspace.KeysAsync($"{prefix}:{{u:{stem}-")).Count} keys of theirs; " +
            $"{chatsLeft.Count} chat keys and unread sets left, each expiring within retention + 1 day");
    }

    [Fact]
    public async Task A_clientOpId_keeps_a_few_dozen_bytes_of_a_sent_message_and_a_repeat_reads_the_message_back()
    {
        var prefix = TestIds.Prefix();
        var keys = new RedisKeys(prefix);
        var db = RedisServer.Instance.Multiplexer.GetDatabase();
        using var node = RoamingNode.OnRedis(prefix);
        var (alice, bob) = (TestIds.User("alice"), TestIds.User("bob"));
        await using var phone = await node.ConnectAsync(alice, "phone");
        var request = new SendMessageRequest { To = bob, ChatType = ChatTypes.SingleChat, Body = Body, ClientOpId = "op-1" };

        var first = await phone.SendMessageAsync(request);
        var kept = await db.StringLengthAsync(keys.Operation(alice, "SendMessage:op-1"));
        var repeat = await phone.SendMessageAsync(request);

        output.WriteLine($"outcome kept for a clientOpId of an 8 KiB message: {kept} bytes");
        Assert.InRange(kept, 1, 200);
        Assert.Equal(JsonSerializer.Serialize(first), JsonSerializer.Serialize(repeat));
        Assert.Equal(Body, repeat.Body);

        // Once the chat no longer holds the message (retention, a deleted group), the repeat still answers the same.
        var chat = new ConversationRef(ChatTypes.SingleChat, bob).ChatKey(alice);
        await db.KeyDeleteAsync([keys.Messages(chat), keys.MessageBodies(chat)]);
        Assert.Equal(JsonSerializer.Serialize(first), JsonSerializer.Serialize(await phone.SendMessageAsync(request)));

        // A "repeat" that is another call is refused, not answered with a message that was never sent.
        foreach (var other in new[] { request with { To = TestIds.User("carol") }, request with { Body = "another body" }, request with { Type = "image" } })
        {
            var refused = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => phone.SendMessageAsync(other));
            Assert.StartsWith("INVALID_ARGUMENT: clientOpId op-1 was already used", refused.Message.Split("HubException: ").Last(), StringComparison.Ordinal);
        }
    }
}
