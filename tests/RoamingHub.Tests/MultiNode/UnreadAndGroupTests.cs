using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR;
using RoamingHub.Client;
using RoamingHub.Contracts;
using RoamingHub.Server.Auth;
using RoamingHub.Server.Storage.Redis;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.MultiNode;

/// <summary>Read state, extension fields and group chats across two nodes on one Redis.</summary>
public sealed class UnreadAndGroupTests : IClassFixture<UnreadAndGroupTests.Cluster>
{
    private readonly Cluster _cluster;

    public UnreadAndGroupTests(Cluster cluster) => _cluster = cluster;

    public sealed class Cluster : TwoNodes;

    private static SendMessageRequest Single(string to, string body) => new() { To = to, ChatType = ChatTypes.SingleChat, Body = body };

    private static SendMessageRequest ToGroup(string groupId, string body) => new() { To = groupId, ChatType = ChatTypes.GroupChat, Body = body };

    private static async Task<Conversation> ConversationAsync(RoamingHubClient client, string conversationId) =>
        (await client.FetchConversationsAsync(new FetchConversationsRequest { PageSize = 50 })).Data.Single(c => c.ConversationId == conversationId);

    private async Task<HttpResponseMessage> AdminAsync(HttpMethod method, string path, object? body = null)
    {
        using var http = _cluster.A.CreateHttpClient();
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body, body.GetType()) };
        request.Headers.Add(AdminApi.ApiKeyHeader, AuthOptions.SampleAdminApiKey);
        return await http.SendAsync(request);
    }

    [Fact]
    public async Task Reading_on_one_device_zeroes_the_other_device_and_tells_the_peer_once()
    {
        var alice = TestIds.User("alice");
        var bob = TestIds.User("bob");
        await using var phone = await _cluster.A.ConnectAsync(alice, "phone");
        await using var laptop = await _cluster.B.ConnectAsync(alice, "laptop", RoamingHubProtocol.Json);
        await using var bobPhone = await _cluster.B.ConnectAsync(bob, "phone");
        await using var bobTablet = await _cluster.A.ConnectAsync(bob, "tablet");
        var (onLaptop, onBobPhone, onBobTablet) = (new Recorder(laptop), new Recorder(bobPhone), new Recorder(bobTablet));
        for (var i = 0; i < 3; i++)
        {
            await bobPhone.SendMessageAsync(Single(alice, $"m{i}"));
        }

        Assert.Equal(3, (await ConversationAsync(laptop, bob)).UnreadCount);
        Assert.Equal(new UnreadSummary { TotalUnread = 3, ConversationsWithUnread = 1, TotalUnreadUnmuted = 3 }, await laptop.GetUnreadSummaryAsync());

        var read = await phone.MarkConversationReadAsync(new MarkConversationReadRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat });

        Assert.Equal(0, read.UnreadCount);
        var evt = (await onLaptop.WaitForEventsAsync(1)).Single();
        Assert.Equal((MultiDeviceOperations.ConversationRead, bob, (long?)read.ReadTimestamp, "phone"), (evt.Operation, evt.ConversationId, evt.ReadTimestamp, evt.FromDeviceId));
        Assert.Equal(0, (await ConversationAsync(laptop, bob)).UnreadCount);
        Assert.Equal(new UnreadSummary(), await laptop.GetUnreadSummaryAsync());
        var ack = (await onBobPhone.WaitForReadAcksAsync(1)).Single();
        var bobsStream = await bobPhone.GetSyncStateAsync();
        Assert.Equal(new ReadAck { ConversationId = alice, ChatType = ChatTypes.SingleChat, ReadTimestamp = read.ReadTimestamp, Seq = bobsStream.LastSeq, Epoch = bobsStream.Epoch }, ack);
        Assert.Equal(read.ReadTimestamp, (await ConversationAsync(bobTablet, alice)).PeerReadTimestamp);

        await phone.MarkConversationReadAsync(new MarkConversationReadRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, Timestamp = read.ReadTimestamp });
        await Recorder.SettleAsync();
        Assert.Single(onBobPhone.ReadAcks);
        Assert.Single(onBobTablet.ReadAcks);
        Assert.Single(onLaptop.RawEvents);
    }

    [Fact]
    public async Task The_extension_field_reaches_the_other_device_and_more_than_1_KiB_is_refused()
    {
        var alice = TestIds.User("alice");
        var bob = TestIds.User("bob");
        await using var phone = await _cluster.A.ConnectAsync(alice, "phone");
        await using var laptop = await _cluster.B.ConnectAsync(alice, "laptop");
        var onLaptop = new Recorder(laptop);
        await phone.SendMessageAsync(Single(bob, "hi"));

        var tooBig = await Assert.ThrowsAsync<HubException>(() =>
            phone.UpdateConversationExtAsync(new UpdateConversationExtRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, Ext = new string('x', 1025) }));
        var updated = await phone.UpdateConversationExtAsync(new UpdateConversationExtRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, Ext = "{\"mute\":true}" });

        Assert.StartsWith(ErrorCodes.InvalidArgument + ": ", tooBig.Message, StringComparison.Ordinal);
        var evt = (await onLaptop.WaitForEventsAsync(1)).Single();
        Assert.Equal((MultiDeviceOperations.ConversationExtUpdated, "{\"mute\":true}", updated.Seq), (evt.Operation, evt.Ext, (long?)evt.Seq));
        Assert.Equal("{\"mute\":true}", (await ConversationAsync(laptop, bob)).Ext);
    }

    [Fact]
    public async Task A_group_of_three_on_two_nodes_stores_one_copy_and_reaches_every_device_once()
    {
        var (alice, bob, carol, dave) = (TestIds.User("alice"), TestIds.User("bob"), TestIds.User("carol"), TestIds.User("dave"));
        var groupId = TestIds.User("team");
        using (var created = await AdminAsync(HttpMethod.Post, AdminApi.Groups, new CreateGroupRequest { GroupId = groupId, Owner = alice, Members = [bob, carol] }))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }

        await using var alicePhone = await _cluster.A.ConnectAsync(alice, "phone");
        await using var aliceLaptop = await _cluster.B.ConnectAsync(alice, "laptop");
        await using var bobPhone = await _cluster.B.ConnectAsync(bob, "phone", RoamingHubProtocol.Json);
        await using var carolPhone = await _cluster.A.ConnectAsync(carol, "phone");
        await using var davePhone = await _cluster.B.ConnectAsync(dave, "phone");
        var devices = new[] { alicePhone, aliceLaptop, bobPhone, carolPhone }.Select(d => new Recorder(d)).ToList();
        var outsider = new Recorder(davePhone);

        var first = await alicePhone.SendMessageAsync(ToGroup(groupId, "hello team"));
        var second = await bobPhone.SendMessageAsync(ToGroup(groupId, "hi"));

        Assert.Equal((groupId, ChatTypes.GroupChat, alice, groupId), (first.ConversationId, first.ChatType, first.From, first.To));
        var chat = RedisServer.Instance.Multiplexer.GetDatabase();
        Assert.Equal(2, await chat.HashLengthAsync(new RedisKeys(_cluster.Prefix).MessageBodies("g:" + groupId)));
        Assert.Equal([second.MsgId], (await devices[0].WaitForMessagesAsync(1)).Select(m => m.MsgId));
        // Alice's laptop is on B: Bob's message from B is pushed there directly and Alice's from A comes through Redis,
        // so the pushes may arrive in either order; both are entries of Alice's stream, and the client raises them in
        // seq order.
        Assert.Equal([first.MsgId, second.MsgId], (await devices[1].WaitForMessagesAsync(2)).Select(m => m.MsgId));
        Assert.Equal([first.MsgId], (await devices[2].WaitForMessagesAsync(1)).Select(m => m.MsgId));
        Assert.Equal([first.MsgId, second.MsgId], (await devices[3].WaitForMessagesAsync(2)).Select(m => m.MsgId));
        await Recorder.SettleAsync();
        Assert.Equal([1, 2, 1, 2], devices.Select(d => d.RawMessages.Count));
        Assert.Empty(outsider.RawMessages);
        var unreadCounts = await Task.WhenAll(new[] { aliceLaptop, bobPhone, carolPhone }.Select(async d => (await ConversationAsync(d, groupId)).UnreadCount));
        Assert.Equal(new[] { 1, 1, 2 }, unreadCounts);

        var refused = await Assert.ThrowsAsync<HubException>(() => davePhone.SendMessageAsync(ToGroup(groupId, "let me in")));
        var unread = await Assert.ThrowsAsync<HubException>(() => davePhone.FetchHistoryMessagesAsync(new FetchHistoryMessagesRequest { ConversationId = groupId, ChatType = ChatTypes.GroupChat }));
        Assert.StartsWith(ErrorCodes.Forbidden + ": ", refused.Message, StringComparison.Ordinal);
        Assert.StartsWith(ErrorCodes.Forbidden + ": ", unread.Message, StringComparison.Ordinal);

        using (var removed = await AdminAsync(HttpMethod.Delete, AdminApi.GroupMember(groupId, carol)))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }

        var removal = (await devices[3].WaitForEventsAsync(1)).Single();
        Assert.Equal((MultiDeviceOperations.RemovedFromGroup, groupId), (removal.Operation, removal.ConversationId));
        await alicePhone.SendMessageAsync(ToGroup(groupId, "after carol left"));
        await devices[2].WaitForMessagesAsync(2);
        await Recorder.SettleAsync();
        Assert.Equal(2, devices[3].RawMessages.Count);
        Assert.DoesNotContain((await carolPhone.FetchConversationsAsync()).Data, c => c.ConversationId == groupId);
        var closed = await Assert.ThrowsAsync<HubException>(() => carolPhone.FetchHistoryMessagesAsync(new FetchHistoryMessagesRequest { ConversationId = groupId, ChatType = ChatTypes.GroupChat }));
        Assert.StartsWith(ErrorCodes.Forbidden + ": ", closed.Message, StringComparison.Ordinal);

        using (var added = await AdminAsync(HttpMethod.Post, AdminApi.GroupMembers(groupId), new AddGroupMembersRequest { Members = [dave] }))
        {
            Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        }

        var welcome = await alicePhone.SendMessageAsync(ToGroup(groupId, "welcome dave"));
        Assert.Equal(welcome.MsgId, (await outsider.WaitForMessagesAsync(1)).Single().MsgId);
    }
}
