using Microsoft.Extensions.Options;
using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Hosting;
using RoamingHub.Server.Storage;
using RoamingHub.Server.Storage.Redis;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Storage;

/// <summary>Keys the Redis store writes keep a lifetime, also when a script recreates one within a minute.</summary>
public sealed class RedisKeyLifetimeTests
{
    private const long T0 = 1_790_000_000_000;
    private readonly string _prefix = TestIds.Prefix();
    private readonly RedisKeys _keys;
    private readonly RedisRoamingStore _store;

    public RedisKeyLifetimeTests()
    {
        _keys = new RedisKeys(_prefix);
        _store = new RedisRoamingStore(RedisServer.Instance.Multiplexer, Options.Create(new RoamingOptions { RedisKeyPrefix = _prefix }));
    }

    [Fact]
    public async Task An_unread_set_a_read_emptied_gets_a_lifetime_again_from_the_next_message_in_the_same_minute()
    {
        var (alice, bob) = (TestIds.User("alice"), TestIds.User("bob"));
        await _store.SendMessageAsync(new MessageDraft("m1", ChatTypes.SingleChat, alice, bob, "text", "one", null), T0, true, default);
        await _store.MarkReadAsync(bob, ConversationRef.Parse(ChatTypes.SingleChat, alice, bob), T0 + 1, "phone", T0 + 1, default);
        var unread = _keys.Unread(bob, ConversationRef.Parse(ChatTypes.SingleChat, alice, bob).Member);
        Assert.False(await RedisServer.Instance.Multiplexer.GetDatabase().KeyExistsAsync(unread));

        await _store.SendMessageAsync(new MessageDraft("m2", ChatTypes.SingleChat, alice, bob, "text", "two", null), T0 + 2, true, default);

        Assert.NotNull(await RedisServer.Instance.Multiplexer.GetDatabase().KeyTimeToLiveAsync(unread));
    }
}
