using RoamingHub.Client;
using RoamingHub.Contracts;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Hub;

public sealed class MessagingTests : IClassFixture<MessagingTests.Node>
{
    private readonly RoamingNode _node;

    public MessagingTests(Node node) => _node = node.Instance;

    public sealed class Node : IDisposable
    {
        public RoamingNode Instance { get; } = new();

        public void Dispose() => Instance.Dispose();
    }

    [Fact]
    public async Task A_message_reaches_every_recipient_device_and_the_senders_other_devices_but_not_the_sending_one()
    {
        var alice = TestIds.User("alice");
        var bob = TestIds.User("bob");
        await using var alicePhone = await _node.ConnectAsync(alice, "phone");
        await using var aliceLaptop = await _node.ConnectAsync(alice, "laptop", RoamingHubProtocol.Json);
        await using var bobPhone = await _node.ConnectAsync(bob, "phone", RoamingHubProtocol.Json);
        await using var bobTablet = await _node.ConnectAsync(bob, "tablet");
        var (phone, laptop, bobsPhone, bobsTablet) = (new Recorder(alicePhone), new Recorder(aliceLaptop), new Recorder(bobPhone), new Recorder(bobTablet));

        var sent = await alicePhone.SendMessageAsync(new SendMessageRequest { To = bob, ChatType = ChatTypes.SingleChat, Body = "hello" });

        Assert.Equal(bob, sent.ConversationId);
        Assert.Equal((alice, bob, "text", "hello", ChatTypes.SingleChat), (sent.From, sent.To, sent.Type, sent.Body, sent.ChatType));
        var (alicesStream, bobsStream) = (await alicePhone.GetSyncStateAsync(), await bobPhone.GetSyncStateAsync());
        Assert.Equal((1L, alicesStream.Epoch), (sent.Seq, sent.Epoch));
        var atBob = (await bobsPhone.WaitForMessagesAsync(1)).Single();
        Assert.Equal(sent with { ConversationId = alice, Seq = 1, Epoch = bobsStream.Epoch }, atBob);
        Assert.Equal(atBob, (await bobsTablet.WaitForMessagesAsync(1)).Single());
        Assert.Equal(sent, (await laptop.WaitForMessagesAsync(1)).Single());
        await Recorder.SettleAsync();
        Assert.Empty(phone.RawMessages);
        Assert.Single(bobsPhone.RawMessages);
        Assert.Single(laptop.RawMessages);
    }

    [Fact]
    public async Task Ids_are_case_insensitive_end_to_end()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        await using var alice = await _node.ConnectAsync($"Alice-{suffix}");
        await using var bob = await _node.ConnectAsync($"bob-{suffix}");

        var sent = await alice.SendMessageAsync(new SendMessageRequest { To = $"BOB-{suffix}", ChatType = ChatTypes.SingleChat, Body = "hi" });
        await alice.PinConversationAsync(new PinConversationRequest { ConversationId = $"Bob-{suffix}", ChatType = ChatTypes.SingleChat, IsPinned = true });

        Assert.Equal(($"alice-{suffix}", $"bob-{suffix}"), (sent.From, sent.To));
        var alicesList = (await alice.FetchConversationsAsync()).Data;
        var single = Assert.Single(alicesList);
        Assert.Equal($"bob-{suffix}", single.ConversationId);
        Assert.True(single.IsPinned);
        Assert.Equal($"alice-{suffix}", Assert.Single((await bob.FetchConversationsAsync()).Data).ConversationId);
    }

    [Fact]
    public async Task A_retry_with_the_same_clientMsgId_returns_the_first_message_and_is_pushed_again_under_the_same_seq()
    {
        var alice = TestIds.User("alice");
        var bob = TestIds.User("bob");
        await using var sender = await _node.ConnectAsync(alice);
        await using var receiver = await _node.ConnectAsync(bob);
        var inbox = new Recorder(receiver);
        var request = new SendMessageRequest { To = bob, ChatType = ChatTypes.SingleChat, Body = "once", ClientMsgId = "client-42" };

        var first = await sender.SendMessageAsync(request);
        var retry = await sender.SendMessageAsync(request);

        // The first attempt appended the recipient's entry and pushed it; the retry finds the entry and pushes nothing.
        Assert.Equal(first, retry);
        await inbox.WaitForMessagesAsync(1);
        await Recorder.SettleAsync();
        Assert.Equal([1L], inbox.RawMessages.Select(m => m.Seq));
        Assert.Single(inbox.Messages);
    }

    [Fact]
    public async Task The_conversation_list_shows_the_last_message_as_each_participant_sees_it()
    {
        var alice = TestIds.User("alice");
        var bob = TestIds.User("bob");
        await using var a = await _node.ConnectAsync(alice);
        await using var b = await _node.ConnectAsync(bob);

        await a.SendMessageAsync(new SendMessageRequest { To = bob, ChatType = ChatTypes.SingleChat, Body = "first" });
        var reply = await b.SendMessageAsync(new SendMessageRequest { To = alice, ChatType = ChatTypes.SingleChat, Body = "second", Type = "custom" });

        var alicesView = Assert.Single((await a.FetchConversationsAsync()).Data);
        Assert.Equal(reply with { ConversationId = bob, Seq = null, Epoch = null }, alicesView.LastMessage);
        Assert.Equal(reply.Timestamp, alicesView.ActivityTime);
        Assert.False(alicesView.IsPinned);
        Assert.Null(alicesView.PinnedTime);
        Assert.Equal(1, alicesView.UnreadCount);
        Assert.Null(alicesView.Ext);
        Assert.Equal(reply with { Seq = null, Epoch = null }, Assert.Single((await b.FetchConversationsAsync()).Data).LastMessage);
    }
}
