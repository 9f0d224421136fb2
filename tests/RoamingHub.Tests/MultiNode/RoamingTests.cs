using RoamingHub.Contracts;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.MultiNode;

/// <summary>One-way deletion across two nodes: it changes only the deleting user's view and reaches their other devices once.</summary>
public sealed class RoamingTests : IClassFixture<RoamingTests.Cluster>
{
    private readonly Cluster _cluster;

    public RoamingTests(Cluster cluster) => _cluster = cluster;

    public sealed class Cluster : TwoNodes;

    private static async Task<List<Message>> HistoryAsync(RoamingHub.Client.RoamingHubClient client, string peer)
    {
        var all = new List<Message>();
        string? cursor = null;
        do
        {
            var page = await client.FetchHistoryMessagesAsync(new FetchHistoryMessagesRequest { ConversationId = peer, ChatType = ChatTypes.SingleChat, Cursor = cursor, Direction = HistoryDirections.Down, PageSize = 4 });
            all.AddRange(page.Data);
            cursor = page.Cursor;
        }
        while (cursor is not null);
        return all;
    }

    [Fact]
    public async Task Deleting_by_time_and_by_ids_hides_history_from_the_deleter_only_and_reaches_their_other_device_once()
    {
        var alice = TestIds.User("alice");
        var bob = TestIds.User("bob");
        await using var alicePhone = await _cluster.A.ConnectAsync(alice, "phone");
        await using var aliceLaptop = await _cluster.B.ConnectAsync(alice, "laptop");
        await using var bobPhone = await _cluster.B.ConnectAsync(bob, "phone");
        var (laptop, bobs) = (new Recorder(aliceLaptop), new Recorder(bobPhone));
        var sent = new List<Message>();
        for (var i = 0; i < 10; i++)
        {
            var sender = i % 2 == 0 ? alicePhone : bobPhone;
            sent.Add(await sender.SendMessageAsync(new SendMessageRequest { To = i % 2 == 0 ? bob : alice, ChatType = ChatTypes.SingleChat, Body = $"m{i}" }));
        }

        var byTime = await alicePhone.DeleteRemoteMessagesBeforeAsync(new DeleteRemoteMessagesBeforeRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, Timestamp = sent[3].Timestamp });
        var byIds = await alicePhone.DeleteRemoteMessagesWithIdsAsync(new DeleteRemoteMessagesWithIdsRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, MsgIds = [sent[9].MsgId, sent[6].MsgId] });

        Assert.Equal(sent[3].Timestamp, byTime.BeforeTimestamp);
        Assert.Equal([sent[9].MsgId, sent[6].MsgId], byIds.MsgIds);
        var alicesView = await HistoryAsync(alicePhone, bob);
        Assert.Equal(sent.Where(m => m.Timestamp > sent[3].Timestamp && m.MsgId != sent[9].MsgId && m.MsgId != sent[6].MsgId).Select(m => m.MsgId), alicesView.Select(m => m.MsgId));
        Assert.Equal(sent.Select(m => m.MsgId), (await HistoryAsync(bobPhone, alice)).Select(m => m.MsgId));
        Assert.Equal(sent[8].MsgId, Assert.Single((await aliceLaptop.FetchConversationsAsync()).Data).LastMessage!.MsgId);
        Assert.Equal(sent[9].MsgId, Assert.Single((await bobPhone.FetchConversationsAsync()).Data).LastMessage!.MsgId);

        var events = await laptop.WaitForEventsAsync(2);
        Assert.Equal((MultiDeviceOperations.DeleteRoaming, sent[3].Timestamp, "phone"), (events[0].Operation, events[0].BeforeTimestamp, events[0].FromDeviceId));
        Assert.Equal([sent[9].MsgId, sent[6].MsgId], events[1].MsgIds);
        await Recorder.SettleAsync();
        Assert.Equal(2, laptop.RawEvents.Count);
        Assert.Empty(bobs.RawEvents);
    }

    [Fact]
    public async Task Deleting_a_conversation_reaches_the_other_device_and_a_new_message_brings_it_back_with_only_new_history()
    {
        var alice = TestIds.User("alice");
        var bob = TestIds.User("bob");
        await using var alicePhone = await _cluster.A.ConnectAsync(alice, "phone");
        await using var aliceLaptop = await _cluster.B.ConnectAsync(alice, "laptop");
        await using var bobPhone = await _cluster.A.ConnectAsync(bob, "phone");
        var laptop = new Recorder(aliceLaptop);
        await bobPhone.SendMessageAsync(new SendMessageRequest { To = alice, ChatType = ChatTypes.SingleChat, Body = "old" });

        var deleted = await alicePhone.DeleteRemoteConversationAsync(new DeleteRemoteConversationRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat });
        var missing = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() =>
            alicePhone.DeleteRemoteConversationAsync(new DeleteRemoteConversationRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat }));

        Assert.True(deleted.DeleteRoam);
        Assert.StartsWith(ErrorCodes.NotFound + ": ", missing.Message, StringComparison.Ordinal);
        var evt = (await laptop.WaitForEventsAsync(1)).Single();
        Assert.Equal((deleted.Seq, MultiDeviceOperations.ConversationDeleted, (bool?)true), (evt.Seq, evt.Operation, evt.DeleteRoam));
        Assert.Empty((await aliceLaptop.FetchConversationsAsync()).Data);

        var fresh = await bobPhone.SendMessageAsync(new SendMessageRequest { To = alice, ChatType = ChatTypes.SingleChat, Body = "new" });

        Assert.Equal(fresh.MsgId, Assert.Single((await aliceLaptop.FetchConversationsAsync()).Data).LastMessage!.MsgId);
        Assert.Equal([fresh.MsgId], (await HistoryAsync(aliceLaptop, bob)).Select(m => m.MsgId));
        Assert.Equal(2, (await HistoryAsync(bobPhone, alice)).Count);
    }
}
