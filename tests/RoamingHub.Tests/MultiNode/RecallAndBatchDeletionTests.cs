using System.Text.Json;
using RoamingHub.Contracts;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.MultiNode;

/// <summary>Recall and batch deletion across two nodes on Redis: every device gets its entry once, wherever it is connected.</summary>
public sealed class RecallAndBatchDeletionTests : IClassFixture<RecallAndBatchDeletionTests.Cluster>
{
    private readonly Cluster _cluster;

    public RecallAndBatchDeletionTests(Cluster cluster) => _cluster = cluster;

    public sealed class Cluster : TwoNodes;

    [Fact]
    public async Task A_recall_on_one_node_reaches_every_device_on_the_other_and_leaves_history_on_both()
    {
        var (alice, bob, carol) = (TestIds.User("alice"), TestIds.User("bob"), TestIds.User("carol"));
        var group = "g" + alice;
        await AdminCalls.GroupAsync(_cluster.A.BaseAddress, HttpMethod.Post, AdminApi.Groups, new CreateGroupRequest { GroupId = group, Owner = alice, Members = [bob, carol] });
        await using var alicePhone = await _cluster.A.ConnectAsync(alice, "phone");
        await using var aliceLaptop = await _cluster.B.ConnectAsync(alice, "laptop");
        await using var bobPhone = await _cluster.B.ConnectAsync(bob, "phone");
        await using var carolPhone = await _cluster.A.ConnectAsync(carol, "phone");
        var (laptop, bobs, carols) = (new Recorder(aliceLaptop), new Recorder(bobPhone), new Recorder(carolPhone));
        var single = await alicePhone.SendMessageAsync(new SendMessageRequest { To = bob, ChatType = ChatTypes.SingleChat, Body = "to bob" });
        var inGroup = await alicePhone.SendMessageAsync(new SendMessageRequest { To = group, ChatType = ChatTypes.GroupChat, Body = "to all" });
        await bobs.WaitForMessagesAsync(2);

        var first = await alicePhone.RecallMessageAsync(new RecallMessageRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, MsgId = single.MsgId });
        var second = await alicePhone.RecallMessageAsync(new RecallMessageRequest { ConversationId = group, ChatType = ChatTypes.GroupChat, MsgId = inGroup.MsgId });

        Assert.Equal((inGroup.Seq + 1, inGroup.Seq + 2), (first.Seq, second.Seq));
        Assert.Equal(
            [(bob, single.MsgId, inGroup.Seq + 1), (group, inGroup.MsgId, inGroup.Seq + 2)],
            (await laptop.WaitForEventsAsync(2)).Select(e => (e.ConversationId, e.MsgId, (long?)e.Seq)));
        Assert.Equal([(alice, single.MsgId), (group, inGroup.MsgId)], (await bobs.WaitForEventsAsync(2)).Select(e => (e.ConversationId, e.MsgId)));
        Assert.Equal([(group, inGroup.MsgId)], (await carols.WaitForEventsAsync(1)).Select(e => (e.ConversationId, e.MsgId)));
        Assert.Empty((await bobPhone.FetchHistoryMessagesAsync(new FetchHistoryMessagesRequest { ConversationId = alice, ChatType = ChatTypes.SingleChat })).Data);
        Assert.Empty((await carolPhone.FetchHistoryMessagesAsync(new FetchHistoryMessagesRequest { ConversationId = group, ChatType = ChatTypes.GroupChat })).Data);
        Assert.Equal(0, (await bobPhone.GetUnreadSummaryAsync()).TotalUnread);
        await Recorder.SettleAsync();
        Assert.Equal(2, laptop.RawEvents.Count);
        Assert.Single(carols.RawEvents);
    }

    [Fact]
    public async Task A_batch_deletion_on_one_node_reaches_the_users_devices_on_the_other()
    {
        var (alice, bob, carol) = (TestIds.User("alice"), TestIds.User("bob"), TestIds.User("carol"));
        await using var phone = await _cluster.A.ConnectAsync(alice, "phone");
        await using var laptop = await _cluster.B.ConnectAsync(alice, "laptop");
        var onLaptop = new Recorder(laptop);
        foreach (var peer in new[] { bob, carol })
        {
            await phone.SendMessageAsync(new SendMessageRequest { To = peer, ChatType = ChatTypes.SingleChat, Body = "hi" });
        }

        var result = await phone.DeleteRemoteConversationsAsync(new DeleteRemoteConversationsRequest
        {
            Conversations = [new() { ConversationId = carol, ChatType = ChatTypes.SingleChat }, new() { ConversationId = bob, ChatType = ChatTypes.SingleChat }],
            DeleteRoam = false,
        });

        Assert.Equal([(carol, 3L), (bob, 4L)], result.Deleted.Select(d => (d.ConversationId, d.Seq)));
        Assert.Equal(
            [(carol, 3L, (bool?)false), (bob, 4L, false)],
            (await onLaptop.WaitForEventsAsync(2)).Select(e => (e.ConversationId, e.Seq, e.DeleteRoam)));
        Assert.Empty((await laptop.FetchConversationsAsync()).Data);
        // Without deleteRoam the history stays.
        Assert.Single((await laptop.FetchHistoryMessagesAsync(new FetchHistoryMessagesRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat })).Data);
    }

    [Theory]
    [InlineData(HubMethods.RecallMessage)]
    [InlineData(HubMethods.DeleteRemoteConversations)]
    public async Task Three_concurrent_repeats_from_two_nodes_have_one_effect_and_one_answer(string method)
    {
        var (alice, bob, carol) = (TestIds.User("alice"), TestIds.User("bob"), TestIds.User("carol"));
        await using var bobPhone = await _cluster.B.ConnectAsync(bob, "phone");
        await using var phone = await _cluster.A.ConnectAsync(alice, "phone");
        await using var laptop = await _cluster.B.ConnectAsync(alice, "laptop");
        await using var tablet = await _cluster.A.ConnectAsync(alice, "tablet");
        var sent = await phone.SendMessageAsync(new SendMessageRequest { To = bob, ChatType = ChatTypes.SingleChat, Body = "once" });
        await phone.SendMessageAsync(new SendMessageRequest { To = carol, ChatType = ChatTypes.SingleChat, Body = "hi" });
        var (seqBefore, bobsBefore) = ((await phone.GetSyncStateAsync()).LastSeq, (await bobPhone.GetSyncStateAsync()).LastSeq);
        var opId = "op-" + Guid.NewGuid().ToString("N");
        (object Request, Type Result, int Entries) call = method == HubMethods.RecallMessage
            ? (new RecallMessageRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, MsgId = sent.MsgId, ClientOpId = opId }, typeof(RecallMessageResult), 1)
            : (new DeleteRemoteConversationsRequest
            {
                Conversations = [new() { ConversationId = bob, ChatType = ChatTypes.SingleChat }, new() { ConversationId = carol, ChatType = ChatTypes.SingleChat }],
                ClientOpId = opId,
            }, typeof(DeleteConversationsResult), 2);

        var answers = await Task.WhenAll(new[] { phone, laptop, tablet }.Select(device => device.Connection.InvokeCoreAsync(method, call.Result, [call.Request])));

        var texts = answers.Select(a => JsonSerializer.Serialize(a, call.Result)).ToList();
        Assert.All(texts, t => Assert.Equal(texts[0], t));
        Assert.Equal(seqBefore + call.Entries, (await phone.GetSyncStateAsync()).LastSeq);
        Assert.Equal(bobsBefore + (method == HubMethods.RecallMessage ? 1 : 0), (await bobPhone.GetSyncStateAsync()).LastSeq);
    }
}
