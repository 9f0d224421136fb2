using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR;
using RoamingHub.Client;
using RoamingHub.Contracts;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Hub;

/// <summary><c>DeleteRemoteConversations</c> and <c>RecallMessage</c> end to end, over JSON and MessagePack, through the .NET client.</summary>
public sealed class BatchDeletionAndRecallTests : IClassFixture<BatchDeletionAndRecallTests.Node>
{
    private readonly RoamingNode _node;

    public BatchDeletionAndRecallTests(Node node) => _node = node.Instance;

    public sealed class Node : IDisposable
    {
        public RoamingNode Instance { get; } = new();

        public void Dispose() => Instance.Dispose();
    }

    private static ConversationTarget Single(string peer) => new() { ConversationId = peer, ChatType = ChatTypes.SingleChat };

    [Theory]
    [InlineData(RoamingHubProtocol.MessagePack)]
    [InlineData(RoamingHubProtocol.Json)]
    public async Task Deleting_several_conversations_logs_one_entry_each_skips_those_not_listed_and_reaches_the_other_devices(RoamingHubProtocol protocol)
    {
        var (alice, bob, carol, dave) = (TestIds.User("alice"), TestIds.User("bob"), TestIds.User("carol"), TestIds.User("dave"));
        await using var phone = await _node.ConnectAsync(alice, "phone", protocol);
        await using var laptop = await _node.ConnectAsync(alice, "laptop", protocol == RoamingHubProtocol.Json ? RoamingHubProtocol.MessagePack : RoamingHubProtocol.Json);
        var onLaptop = new Recorder(laptop);
        var onPhone = new Recorder(phone);
        foreach (var peer in new[] { bob, carol })
        {
            await phone.SendMessageAsync(new SendMessageRequest { To = peer, ChatType = ChatTypes.SingleChat, Body = "hi" });
        }

        var before = (await phone.GetSyncStateAsync()).LastSeq;

        var result = await phone.DeleteRemoteConversationsAsync(new DeleteRemoteConversationsRequest
        {
            Conversations = [Single(bob.ToUpperInvariant()), Single(dave), Single(carol), Single(bob)],
        });

        var epoch = (await phone.GetSyncStateAsync()).Epoch;
        Assert.Equal(
            [
                new DeletedConversation { ConversationId = bob, ChatType = ChatTypes.SingleChat, Seq = before + 1, Epoch = epoch },
                new DeletedConversation { ConversationId = carol, ChatType = ChatTypes.SingleChat, Seq = before + 2, Epoch = epoch },
            ],
            result.Deleted);
        Assert.Empty((await phone.FetchConversationsAsync()).Data);
        var pushed = await onLaptop.WaitForEventsAsync(2);
        Assert.Equal(
            [(MultiDeviceOperations.ConversationDeleted, bob, before + 1, (bool?)true), (MultiDeviceOperations.ConversationDeleted, carol, before + 2, true)],
            pushed.Select(e => (e.Operation, e.ConversationId, e.Seq, e.DeleteRoam)));
        // The history up to now is hidden too (deleteRoam defaults to true), and the calling device got nothing pushed.
        Assert.Empty((await phone.FetchHistoryMessagesAsync(new FetchHistoryMessagesRequest { ConversationId = carol, ChatType = ChatTypes.SingleChat })).Data);
        await Recorder.SettleAsync();
        Assert.Empty(onPhone.RawEvents);
        Assert.Equal(before + 2, phone.LastSeq);
    }

    [Fact]
    public async Task Deleting_conversations_none_of_which_is_listed_answers_an_empty_list_and_logs_nothing()
    {
        var alice = TestIds.User("alice");
        await using var phone = await _node.ConnectAsync(alice, "phone");

        var result = await phone.DeleteRemoteConversationsAsync(new DeleteRemoteConversationsRequest { Conversations = [Single(TestIds.User("nobody"))], DeleteRoam = false });

        Assert.Empty(result.Deleted);
        Assert.Equal(0, (await phone.GetSyncStateAsync()).LastSeq);
    }

    public static TheoryData<string, DeleteRemoteConversationsRequest, string> BadBatches => new()
    {
        { "none", new DeleteRemoteConversationsRequest { Conversations = [] }, "conversations" },
        { "missing", new DeleteRemoteConversationsRequest(), "conversations" },
        { "51", new DeleteRemoteConversationsRequest { Conversations = [.. Enumerable.Range(0, 51).Select(i => Single($"peer{i}"))] }, "conversations" },
        { "bad chatType", new DeleteRemoteConversationsRequest { Conversations = [Single("bob"), new ConversationTarget { ConversationId = "carol", ChatType = "channel" }] }, "chatType" },
        { "bad id", new DeleteRemoteConversationsRequest { Conversations = [Single("bob"), Single("c/rol")] }, "conversationId" },
    };

    [Theory]
    [MemberData(nameof(BadBatches))]
    public async Task A_batch_with_bad_input_is_INVALID_ARGUMENT_naming_the_field_and_deletes_nothing(string _, DeleteRemoteConversationsRequest request, string field)
    {
        var alice = TestIds.User("alice");
        await using var phone = await _node.ConnectAsync(alice, "phone");
        await phone.SendMessageAsync(new SendMessageRequest { To = "bob", ChatType = ChatTypes.SingleChat, Body = "hi" });

        var error = await Assert.ThrowsAsync<HubException>(() => phone.DeleteRemoteConversationsAsync(request));

        Assert.StartsWith(ErrorCodes.InvalidArgument + ": ", error.Message, StringComparison.Ordinal);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
        Assert.Equal(["bob"], (await phone.FetchConversationsAsync()).Data.Select(c => c.ConversationId));
    }

    [Theory]
    [InlineData(RoamingHubProtocol.MessagePack)]
    [InlineData(RoamingHubProtocol.Json)]
    public async Task A_recall_reaches_every_device_of_both_participants_but_the_calling_one_and_a_second_recall_appends_nothing_and_devices_drop_its_pushes(RoamingHubProtocol protocol)
    {
        var (alice, bob) = (TestIds.User("alice"), TestIds.User("bob"));
        await using var alicePhone = await _node.ConnectAsync(alice, "phone", protocol);
        await using var aliceLaptop = await _node.ConnectAsync(alice, "laptop", RoamingHubProtocol.Json);
        await using var bobPhone = await _node.ConnectAsync(bob, "phone", protocol);
        await using var bobTablet = await _node.ConnectAsync(bob, "tablet", RoamingHubProtocol.MessagePack);
        var (phone, laptop, bobs, tablet) = (new Recorder(alicePhone), new Recorder(aliceLaptop), new Recorder(bobPhone), new Recorder(bobTablet));
        var kept = await alicePhone.SendMessageAsync(new SendMessageRequest { To = bob, ChatType = ChatTypes.SingleChat, Body = "kept" });
        var oops = await alicePhone.SendMessageAsync(new SendMessageRequest { To = bob, ChatType = ChatTypes.SingleChat, Body = "oops" });
        await bobs.WaitForMessagesAsync(2);

        var recalled = await alicePhone.RecallMessageAsync(new RecallMessageRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, MsgId = oops.MsgId });

        Assert.Equal((oops.MsgId, oops.Seq + 1, oops.Epoch), (recalled.MsgId, recalled.Seq, recalled.Epoch));
        var atLaptop = Assert.Single(await laptop.WaitForEventsAsync(1));
        Assert.Equal(
            (recalled.Seq!.Value, MultiDeviceOperations.MessageRecalled, bob, ChatTypes.SingleChat, oops.MsgId, "phone"),
            (atLaptop.Seq, atLaptop.Operation, atLaptop.ConversationId, atLaptop.ChatType, atLaptop.MsgId, atLaptop.FromDeviceId));
        foreach (var device in new[] { bobs, tablet })
        {
            var atBob = Assert.Single(await device.WaitForEventsAsync(1));
            Assert.Equal((3L, MultiDeviceOperations.MessageRecalled, alice, oops.MsgId), (atBob.Seq, atBob.Operation, atBob.ConversationId, atBob.MsgId));
        }

        var history = await bobPhone.FetchHistoryMessagesAsync(new FetchHistoryMessagesRequest { ConversationId = alice, ChatType = ChatTypes.SingleChat });
        Assert.Equal([kept.MsgId], history.Data.Select(m => m.MsgId));
        var bobsEntry = Assert.Single((await bobPhone.FetchConversationsAsync()).Data);
        Assert.Equal((kept.MsgId, 1), (bobsEntry.LastMessage?.MsgId, bobsEntry.UnreadCount));
        Assert.Equal(1, (await bobPhone.GetUnreadSummaryAsync()).TotalUnread);
        var replayed = (await bobPhone.SyncEventsAsync(new SyncEventsRequest { SinceSeq = 0 })).Events;
        Assert.Equal(
            [(MultiDeviceOperations.Message, (string?)"kept"), (MultiDeviceOperations.Message, null), (MultiDeviceOperations.MessageRecalled, null)],
            replayed.Select(e => (e.Operation, e.Message?.Body)));

        var again = await aliceLaptop.RecallMessageAsync(new RecallMessageRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, MsgId = oops.MsgId });

        // The repeat pushes the same entries again (its first attempt may have stopped before pushing): every device
        // but the calling one gets them, and each drops what it has by its seq.
        Assert.Equal(recalled, again);
        await Recorder.SettleAsync();
        Assert.Equal([recalled.Seq!.Value], phone.RawEvents.Select(e => e.Seq));
        Assert.Empty(phone.Events);
        Assert.Single(laptop.RawEvents);
        Assert.All(new[] { bobs, tablet }, device => Assert.Equal([3L, 3L], device.RawEvents.Select(e => e.Seq)));
        Assert.All(new[] { laptop, bobs, tablet }, device => Assert.Single(device.Events));
        Assert.Equal(recalled.Seq, (await alicePhone.GetSyncStateAsync()).LastSeq);
    }

    [Fact]
    public async Task Recall_refuses_an_empty_msgId_a_message_of_someone_else_and_an_unknown_message()
    {
        var (alice, bob) = (TestIds.User("alice"), TestIds.User("bob"));
        await using var alicePhone = await _node.ConnectAsync(alice, "phone");
        await using var bobPhone = await _node.ConnectAsync(bob, "phone");
        var sent = await alicePhone.SendMessageAsync(new SendMessageRequest { To = bob, ChatType = ChatTypes.SingleChat, Body = "mine" });

        var empty = await Assert.ThrowsAsync<HubException>(() => alicePhone.RecallMessageAsync(new RecallMessageRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, MsgId = "" }));
        var byBob = await Assert.ThrowsAsync<HubException>(() => bobPhone.RecallMessageAsync(new RecallMessageRequest { ConversationId = alice, ChatType = ChatTypes.SingleChat, MsgId = sent.MsgId }));
        var unknown = await Assert.ThrowsAsync<HubException>(() => alicePhone.RecallMessageAsync(new RecallMessageRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, MsgId = "0123456789abcdef" }));

        Assert.StartsWith(ErrorCodes.InvalidArgument + ": msgId ", empty.Message, StringComparison.Ordinal);
        Assert.StartsWith(ErrorCodes.Forbidden + ": ", byBob.Message, StringComparison.Ordinal);
        Assert.StartsWith(ErrorCodes.NotFound + ": ", unknown.Message, StringComparison.Ordinal);
        Assert.Equal([sent.MsgId], (await bobPhone.FetchHistoryMessagesAsync(new FetchHistoryMessagesRequest { ConversationId = alice, ChatType = ChatTypes.SingleChat })).Data.Select(m => m.MsgId));
    }

    [Fact]
    public async Task A_message_past_the_recall_window_is_FORBIDDEN_and_stays()
    {
        using var node = new RoamingNode(new Dictionary<string, string?> { ["Roaming:RecallWindow"] = "00:00:00.001" });
        var (alice, bob) = (TestIds.User("alice"), TestIds.User("bob"));
        await using var alicePhone = await node.ConnectAsync(alice, "phone");
        var sent = await alicePhone.SendMessageAsync(new SendMessageRequest { To = bob, ChatType = ChatTypes.SingleChat, Body = "too late" });
        await Task.Delay(TimeSpan.FromMilliseconds(50)); // longer than the window, whatever the machine does

        var late = await Assert.ThrowsAsync<HubException>(() => alicePhone.RecallMessageAsync(new RecallMessageRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, MsgId = sent.MsgId }));

        Assert.StartsWith(ErrorCodes.Forbidden + ": ", late.Message, StringComparison.Ordinal);
        Assert.Equal([sent.MsgId], (await alicePhone.FetchHistoryMessagesAsync(new FetchHistoryMessagesRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat })).Data.Select(m => m.MsgId));
    }

    [Fact]
    public async Task A_group_recall_reaches_every_member_the_senders_other_devices_included()
    {
        var (alice, bob, carol) = (TestIds.User("alice"), TestIds.User("bob"), TestIds.User("carol"));
        var group = "g" + alice;
        await AdminCalls.GroupAsync(_node.BaseAddress, HttpMethod.Post, AdminApi.Groups, new CreateGroupRequest { GroupId = group, Owner = alice, Members = [bob, carol] });
        await using var alicePhone = await _node.ConnectAsync(alice, "phone");
        await using var aliceLaptop = await _node.ConnectAsync(alice, "laptop", RoamingHubProtocol.Json);
        await using var bobPhone = await _node.ConnectAsync(bob, "phone", RoamingHubProtocol.Json);
        await using var carolPhone = await _node.ConnectAsync(carol, "phone");
        var recorders = new[] { new Recorder(aliceLaptop), new Recorder(bobPhone), new Recorder(carolPhone) };
        var sent = await alicePhone.SendMessageAsync(new SendMessageRequest { To = group, ChatType = ChatTypes.GroupChat, Body = "oops" });

        var recalled = await alicePhone.RecallMessageAsync(new RecallMessageRequest { ConversationId = group, ChatType = ChatTypes.GroupChat, MsgId = sent.MsgId });

        Assert.Equal(sent.Seq + 1, recalled.Seq);
        foreach (var recorder in recorders)
        {
            var recall = Assert.Single(await recorder.WaitForEventsAsync(1));
            Assert.Equal((MultiDeviceOperations.MessageRecalled, group, ChatTypes.GroupChat, sent.MsgId), (recall.Operation, recall.ConversationId, recall.ChatType, recall.MsgId));
        }

        foreach (var member in new[] { bobPhone, carolPhone })
        {
            var entry = Assert.Single((await member.FetchConversationsAsync()).Data);
            Assert.Equal(((Message?)null, 0), (entry.LastMessage, entry.UnreadCount));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Both_protocols_carry_the_results_as_camelCase_objects(bool messagePack)
    {
        var (alice, bob) = (TestIds.User("alice"), TestIds.User("bob"));
        await using var connection = await RawHubConnection.ConnectAsync(_node, alice, messagePack);
        var sent = (await connection.InvokeAsync(HubMethods.SendMessage, new SendMessageRequest { To = bob, ChatType = ChatTypes.SingleChat, Body = "hi" }))["result"]!;

        var recalled = await connection.InvokeAsync(HubMethods.RecallMessage, new RecallMessageRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, MsgId = (string?)sent["msgId"] });
        var deleted = await connection.InvokeAsync(HubMethods.DeleteRemoteConversations, new DeleteRemoteConversationsRequest { Conversations = [Single(bob)] });

        Assert.Equal(["msgId", "seq", "epoch"], Keys(recalled["result"]!));
        Assert.Equal(["deleted"], Keys(deleted["result"]!));
        Assert.Equal(["conversationId", "chatType", "seq", "epoch"], Keys(deleted["result"]!["deleted"]![0]!));
        Assert.Equal((bob, 3L), ((string?)deleted["result"]!["deleted"]![0]!["conversationId"], (long)deleted["result"]!["deleted"]![0]!["seq"]!));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_unknown_field_in_a_conversation_of_the_batch_is_refused_by_name(bool messagePack)
    {
        var alice = TestIds.User("alice");
        await using var connection = await RawHubConnection.ConnectAsync(_node, alice, messagePack);

        var refused = await connection.InvokeAsync(HubMethods.DeleteRemoteConversations, new Dictionary<string, object?>
        {
            ["conversations"] = new[] { new Dictionary<string, object?> { ["conversationId"] = "bob", ["chatType"] = ChatTypes.SingleChat, ["colour"] = "red" } },
        });

        Assert.Equal(
            "INVALID_ARGUMENT: Unknown field 'colour' in ConversationTarget, whose fields are conversationId and chatType; see docs/protocol.md.",
            (string?)refused["error"]);
    }

    private static List<string> Keys(JsonNode node) => [.. node.AsObject().Select(p => p.Key)];
}
