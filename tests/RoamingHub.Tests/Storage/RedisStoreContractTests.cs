using Microsoft.Extensions.Options;
using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Settings;
using RoamingHub.Server.Storage;
using RoamingHub.Server.Storage.Redis;
using RoamingHub.Tests.Infrastructure;
using StackExchange.Redis;

namespace RoamingHub.Tests.Storage;

public sealed class RedisStoreContractTests : StoreContract
{
    internal override Stores CreateStore(RoamingOptions options)
    {
        options.RedisKeyPrefix = TestIds.Prefix();
        return Stores.Redis(RedisServer.Instance.Multiplexer, options);
    }

    [Fact]
    public async Task The_badge_counts_a_user_with_more_conversation_settings_than_one_command_takes_arguments()
    {
        var options = new RoamingOptions();
        var store = CreateStore(options);
        var (alice, bob) = (TestIds.User("alice"), TestIds.User("bob"));
        const long now = 1_790_000_000_000;
        await store.Messages.SendMessageAsync(new MessageDraft(Guid.NewGuid().ToString("N"), ChatTypes.SingleChat, bob, alice, "text", "hi", null), now, true, default);
        await store.Settings.SetConversationMutedAsync(alice, new ConversationRef(ChatTypes.SingleChat, bob), true, null, "phone", now + 1, null, default);
        // Past the ~8000 values unpack() takes: muted conversations that have no unread messages.
        var others = Enumerable.Range(0, 9000).Select(i => new HashEntry(new ConversationRef(ChatTypes.SingleChat, TestIds.User($"peer{i}")).Member, "0||")).ToArray();
        await RedisServer.Instance.Multiplexer.GetDatabase().HashSetAsync(new RedisKeys(options.RedisKeyPrefix).Settings(alice), others);

        Assert.Equal(
            new UnreadSummary { TotalUnread = 1, ConversationsWithUnread = 1, TotalUnreadUnmuted = 0 },
            await store.Conversations.GetUnreadSummaryAsync(alice, now + 2, default));
    }
}
