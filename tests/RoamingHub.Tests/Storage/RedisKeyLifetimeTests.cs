using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Storage;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Storage;

/// <summary>Keys the Redis store writes keep a lifetime, also when a script recreates one within a minute.</summary>
public sealed class RedisKeyLifetimeTests : RedisStoreTests
{
    [Fact]
    public async Task An_unread_set_a_read_emptied_gets_a_lifetime_again_from_the_next_message_in_the_same_minute()
    {
        var (alice, bob) = (TestIds.User("alice"), TestIds.User("bob"));
        await Store.Messages.SendMessageAsync(new MessageDraft("m1", ChatTypes.SingleChat, alice, bob, "text", "one", null), T0, true, default);
        await Store.Conversations.MarkConversationReadAsync(bob, ConversationRef.Parse(ChatTypes.SingleChat, alice, bob), T0 + 1, "phone", T0 + 1, default);
        var unread = Keys.Unread(bob, ConversationRef.Parse(ChatTypes.SingleChat, alice, bob).Member);
        Assert.False(await Db.KeyExistsAsync(unread));

        await Store.Messages.SendMessageAsync(new MessageDraft("m2", ChatTypes.SingleChat, alice, bob, "text", "two", null), T0 + 2, true, default);

        Assert.NotNull(await Db.KeyTimeToLiveAsync(unread));
    }
}
