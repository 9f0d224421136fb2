using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Storage;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Storage;

/// <summary>
/// Every key the Redis store writes has a lifetime, except a group's membership, which lives as long as the group: a
/// user's keys all expire together a user lifetime after the user's last activity, renewed by the first write or own
/// read of each minute; keys a script creates in between get the same expiry at once.
/// </summary>
public sealed class RedisKeyLifetimeTests() : RedisStoreTests(options => options.UserInactivityLifetime = TimeSpan.FromHours(1))
{
    private static readonly TimeSpan UserLifetime = TimeSpan.FromHours(1);
    private readonly string _alice = TestIds.User("alice");
    private readonly string _bob = TestIds.User("bob");
    private readonly string _carol = TestIds.User("carol");
    private readonly string _team = TestIds.User("team");

    private static ConversationRef With(string user) => new(ChatTypes.SingleChat, user);

    private Task<SendOutcome> SendAsync(string from, string to, long now, string chatType = ChatTypes.SingleChat, string? clientMsgId = null) =>
        Store.Messages.SendMessageAsync(new MessageDraft(Guid.NewGuid().ToString("N"), chatType, from, to, "text", "hi", clientMsgId), now, true, default).AsTask();

    /// <summary>The keys of <paramref name="user"/> that this store holds, by name.</summary>
    private async Task<List<string>> UserKeysAsync(string user) => await KeysAsync($"{Prefix}:{{u:{user}}}:");

    private async Task<HashSet<DateTime?>> ExpiriesAsync(IEnumerable<string> keys) =>
        [.. await Task.WhenAll(keys.Select(key => Db.KeyExpireTimeAsync(key)))];

    [Fact]
    public async Task An_unread_set_a_read_emptied_gets_a_lifetime_again_from_the_next_message_in_the_same_minute()
    {
        var (alice, bob) = (TestIds.User("alice"), TestIds.User("bob"));
        await Store.Messages.SendMessageAsync(new MessageDraft("m1", ChatTypes.SingleChat, alice, bob, "text", "one", null), T0, true, default);
        await Store.Conversations.MarkConversationReadAsync(bob, ConversationRef.Parse(ChatTypes.SingleChat, alice, bob), T0 + 1, "phone", T0 + 1, null, default);
        var unread = Keys.Unread(bob, ConversationRef.Parse(ChatTypes.SingleChat, alice, bob).Member);
        Assert.False(await Db.KeyExistsAsync(unread));

        await Store.Messages.SendMessageAsync(new MessageDraft("m2", ChatTypes.SingleChat, alice, bob, "text", "two", null), T0 + 2, true, default);

        Assert.NotNull(await Db.KeyTimeToLiveAsync(unread));
    }

    [Fact]
    public async Task Every_key_any_call_writes_expires_except_a_groups_membership()
    {
        var deleted = TestIds.User("gone");
        await Store.Groups.CreateGroupAsync(_team, _alice, [_bob, _carol], T0, default);
        await Store.Groups.CreateGroupAsync(deleted, _alice, [_bob], T0, default);
        var toBob = await SendAsync(_alice, _bob, T0 + 1, clientMsgId: "c-1");
        await SendAsync(_bob, _team, T0 + 2, ChatTypes.GroupChat);
        await SendAsync(_bob, deleted, T0 + 2, ChatTypes.GroupChat);
        await SendAsync(_carol, _team, T0 + 3, ChatTypes.GroupChat);
        await Store.Conversations.PinConversationAsync(_alice, With(_carol), true, "phone", T0 + 4, null, default);
        await Store.Conversations.PinConversationAsync(_alice, ConversationRef.Group(_team), true, "phone", T0 + 4, null, default);
        await Store.Conversations.MarkConversationReadAsync(_bob, With(_alice), T0 + 5, "phone", T0 + 5, null, default);
        await Store.Conversations.UpdateConversationExtAsync(_alice, With(_bob), "ext", "phone", T0 + 6, null, default);
        await Store.Settings.SetConversationMarksAsync(_alice, With(_bob), 1 << 3, 0, "phone", T0 + 6, null, default);
        await Store.Settings.SetConversationMutedAsync(_bob, With(_alice), true, null, "phone", T0 + 6, null, default);
        await Store.Settings.MarkConversationUnreadAsync(_bob, With(_alice), "phone", T0 + 6, null, default);
        await Store.Messages.DeleteRemoteMessagesWithIdsAsync(_bob, With(_alice), [toBob.Message.MsgId], "phone", T0 + 7, null, default);
        await Store.Messages.DeleteRemoteMessagesBeforeAsync(_carol, ConversationRef.Group(_team), T0 + 2, "phone", T0 + 7, null, default);
        await Store.Conversations.DeleteRemoteConversationAsync(_alice, With(_carol), deleteRoam: true, "phone", T0 + 8, null, default);
        await Store.Conversations.MarkAllConversationsReadAsync(_carol, "phone", T0 + 9, null, default);
        await Store.Conversations.FetchConversationsAsync(_alice, "phone", ConversationList.Active, null, 1, T0 + 10, default);
        await Store.Events.SyncEventsAsync(_bob, 0, null, 10, T0 + 10, default);
        await Store.Events.GetSyncStateAsync(TestIds.User("fresh"), T0 + 10, default);
        await Store.Operations.BeginOperationAsync(_alice, "SendMessage:op-1", TimeSpan.FromSeconds(10), TimeSpan.FromHours(24), default);
        await Store.Operations.CompleteOperationAsync(_alice, "SendMessage:op-1", [1, 2, 3], TimeSpan.FromHours(24), default);
        await Store.Groups.DeleteGroupAsync(deleted, T0 + 11, default);

        var lasting = new List<string>();
        var tooLong = new List<string>();
        foreach (var key in await KeysAsync())
        {
            var ttl = await Db.KeyTimeToLiveAsync(key);
            if (ttl is null)
            {
                lasting.Add(key);
            }
            else if (ttl > Options.ChatLifetime)
            {
                tooLong.Add(key);
            }
        }

        // A group's owner and members, and each member's copy of their groups, live until the group is deleted.
        string[] membership =
        [
            $"{Prefix}:{{g:{_team}}}:info", $"{Prefix}:{{g:{_team}}}:members",
            $"{Prefix}:{{u:{_alice}}}:groups", $"{Prefix}:{{u:{_bob}}}:groups", $"{Prefix}:{{u:{_carol}}}:groups",
        ];
        Assert.Equal(membership.Order(StringComparer.Ordinal), lasting.Order(StringComparer.Ordinal));
        Assert.Empty(tooLong);
        Assert.Empty(await KeysAsync($"{Prefix}:{{g:{deleted}}}:m"));
    }

    [Fact]
    public async Task A_users_keys_share_one_expiry_that_the_first_write_or_own_read_of_a_minute_renews()
    {
        await SendAsync(_alice, _bob, T0);
        var bobs = await UserKeysAsync(_bob);
        var first = Assert.Single(await ExpiriesAsync(bobs.Where(k => !k.Contains(":unread:", StringComparison.Ordinal))));
        Assert.InRange(first!.Value - DateTime.UtcNow, UserLifetime - TimeSpan.FromMinutes(1), UserLifetime);
        Assert.Equal(T0.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)await Db.HashGetAsync(Keys.Stream(_bob), "alive"));

        // Later in the same minute: a message and reads that create keys on bob's side renew nothing, and the new
        // keys take the expiry the others have.
        await SendAsync(_alice, _bob, T0 + 20_000);
        await Store.Conversations.MarkConversationReadAsync(_bob, With(_alice), T0 + 20_000, "phone", T0 + 21_000, null, default);
        await Store.Conversations.MarkConversationReadAsync(_alice, With(_bob), T0 + 20_000, "phone", T0 + 22_000, null, default);
        await Store.Conversations.PinConversationAsync(_bob, With(_carol), true, "phone", T0 + 23_000, null, default);
        bobs = await UserKeysAsync(_bob);
        Assert.Contains(Keys.ReadPositions(_bob).ToString(), bobs);
        Assert.Contains(Keys.PeerReads(_bob).ToString(), bobs);
        Assert.Contains(Keys.Pins(_bob).ToString(), bobs);
        Assert.Equal([first], await ExpiriesAsync(bobs.Where(k => !k.Contains(":unread:", StringComparison.Ordinal))));
        Assert.Equal(T0.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)await Db.HashGetAsync(Keys.Stream(_bob), "alive"));

        // A minute on, a message renews them all at once; so does the user's own read of their list.
        await SendAsync(_alice, _bob, T0 + 61_000);
        Assert.Equal("1790000061000", (string?)await Db.HashGetAsync(Keys.Stream(_bob), "alive"));
        var renewed = Assert.Single(await ExpiriesAsync((await UserKeysAsync(_bob)).Where(k => !k.Contains(":unread:", StringComparison.Ordinal))));
        Assert.True(renewed >= first);
        await Store.Conversations.FetchConversationsAsync(_bob, "phone", ConversationList.Active, null, 20, T0 + 200_000, default);
        Assert.Equal("1790000200000", (string?)await Db.HashGetAsync(Keys.Stream(_bob), "alive"));
    }

    [Fact]
    public async Task Reads_of_an_id_nobody_used_leave_no_key_but_a_stream_that_expires()
    {
        var nobody = TestIds.User("nobody");
        await Store.Conversations.FetchConversationsAsync(nobody, "phone", ConversationList.Active, null, 20, T0, default);
        await Store.Conversations.FetchConversationsAsync(nobody, "phone", ConversationList.Pinned, null, 20, T0, default);
        await Store.Conversations.GetUnreadSummaryAsync(nobody, T0, default);
        await Store.Messages.FetchHistoryMessagesAsync(nobody, With(_alice), new HistoryQuery(true, null, 20), T0, default);
        await Assert.ThrowsAsync<RoamingException>(() => Store.Conversations.MarkConversationReadAsync(nobody, With(_alice), T0, "phone", T0, null, default).AsTask());
        await Assert.ThrowsAsync<RoamingException>(() => Store.Conversations.UpdateConversationExtAsync(nobody, With(_alice), "x", "phone", T0, null, default).AsTask());
        await Store.Groups.GetGroupsOfUserAsync(nobody, default);
        Assert.Empty(await KeysAsync());

        // Reading the stream's state fixes its epoch, so the stream is kept, for the user lifetime.
        await Store.Events.SyncEventsAsync(nobody, 0, null, 10, T0, default);
        var stream = Assert.Single(await KeysAsync());
        Assert.Equal(Keys.Stream(nobody).ToString(), stream);
        Assert.InRange(await Db.KeyTimeToLiveAsync(stream) ?? TimeSpan.Zero, UserLifetime - TimeSpan.FromMinutes(1), UserLifetime);
    }
}
