using Microsoft.AspNetCore.SignalR;
using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Storage.Redis;
using RoamingHub.Tests.Infrastructure;
using StackExchange.Redis;

namespace RoamingHub.Tests.Reliability;

/// <summary>
/// A batch deletion that fails partway: what it deleted stays deleted, and its retry with the same <c>clientOpId</c>
/// finishes the rest and answers the whole list, each conversation with the seq its one entry has. The fault is real:
/// the chat of the second conversation has its watermark key given the wrong type, so Redis refuses that
/// conversation's first step with WRONGTYPE after the first conversation was deleted.
/// </summary>
public sealed class BatchDeletionRetryTests
{
    private static readonly string Prefix = TestIds.Prefix();

    [Fact]
    public async Task A_batch_deletion_that_failed_partway_is_finished_by_its_retry_which_answers_the_whole_list()
    {
        using var redis = ConnectionMultiplexer.Connect(RedisServer.Instance.ConnectionString);
        await using var node = RoamingNode.OnRedis(Prefix);
        var keys = new RedisKeys(Prefix);
        var (alice, bob, carol) = (TestIds.User("alice"), TestIds.User("bob"), TestIds.User("carol"));
        await using var phone = await node.ConnectAsync(alice, "phone");
        await using var laptop = await node.ConnectAsync(alice, "laptop");
        var onLaptop = new Recorder(laptop);
        foreach (var peer in new[] { bob, carol })
        {
            await phone.SendMessageAsync(new SendMessageRequest { To = peer, ChatType = ChatTypes.SingleChat, Body = "hi" });
        }

        var before = (await phone.GetSyncStateAsync()).LastSeq;
        var request = new DeleteRemoteConversationsRequest
        {
            Conversations = [new() { ConversationId = bob, ChatType = ChatTypes.SingleChat }, new() { ConversationId = carol, ChatType = ChatTypes.SingleChat }],
            ClientOpId = "op-" + Guid.NewGuid().ToString("N"),
        };
        var carolsWatermarks = keys.Watermarks(new ConversationRef(ChatTypes.SingleChat, carol).ChatKey(alice));
        await redis.GetDatabase().StringSetAsync(carolsWatermarks, "not a hash");

        await Assert.ThrowsAsync<HubException>(() => phone.DeleteRemoteConversationsAsync(request));

        // Bob's conversation went and stays gone; its event reached the other device although the call failed.
        Assert.Equal([carol], (await phone.FetchConversationsAsync()).Data.Select(c => c.ConversationId));
        Assert.Equal([(bob, before + 1)], (await onLaptop.WaitForEventsAsync(1)).Select(e => (e.ConversationId, e.Seq)));
        await redis.GetDatabase().KeyDeleteAsync(carolsWatermarks);

        var retry = await phone.DeleteRemoteConversationsAsync(request);
        // Waited for before the laptop repeats the call, whose answer counts the seqs as the laptop's own: a push still
        // on its way then would be dropped as a duplicate.
        var told = await onLaptop.WaitForEventsAsync(2);
        var third = await laptop.DeleteRemoteConversationsAsync(request);

        Assert.Equal([(bob, before + 1), (carol, before + 2)], retry.Deleted.Select(d => (d.ConversationId, d.Seq)));
        Assert.Equal(retry, third);
        Assert.Empty((await phone.FetchConversationsAsync()).Data);
        var log = (await phone.SyncEventsAsync(new SyncEventsRequest { SinceSeq = before })).Events;
        Assert.Equal([(bob, before + 1), (carol, before + 2)], log.Select(e => (e.ConversationId, e.Seq)));
        Assert.All(log, e => Assert.Equal(MultiDeviceOperations.ConversationDeleted, e.Operation));
        Assert.Equal([(bob, before + 1), (carol, before + 2)], told.Select(e => (e.ConversationId, e.Seq)));
    }

    [Fact]
    public async Task A_group_the_caller_is_no_longer_in_leaves_the_list_without_hiding_history_and_the_batch_and_its_retry_answer_the_whole_list()
    {
        using var redis = ConnectionMultiplexer.Connect(RedisServer.Instance.ConnectionString);
        await using var node = RoamingNode.OnRedis(Prefix);
        var keys = new RedisKeys(Prefix);
        var (alice, bob, carol) = (TestIds.User("alice"), TestIds.User("bob"), TestIds.User("carol"));
        var group = "g" + bob;
        await AdminCalls.GroupAsync(node.BaseAddress, HttpMethod.Post, AdminApi.Groups, new CreateGroupRequest { GroupId = group, Owner = alice, Members = [bob] });
        await using var phone = await node.ConnectAsync(bob, "phone");
        await phone.SendMessageAsync(new SendMessageRequest { To = group, ChatType = ChatTypes.GroupChat, Body = "hi all" });
        await phone.SendMessageAsync(new SendMessageRequest { To = carol, ChatType = ChatTypes.SingleChat, Body = "hi" });
        // A removal whose user step never ran: Bob is out of the group but still has it in his list.
        await redis.GetDatabase().SetRemoveAsync(keys.GroupMembers(new ConversationRef(ChatTypes.GroupChat, group).ChatKey(bob)), bob);
        var request = new DeleteRemoteConversationsRequest
        {
            Conversations = [new() { ConversationId = group, ChatType = ChatTypes.GroupChat }, new() { ConversationId = carol, ChatType = ChatTypes.SingleChat }],
            DeleteRoam = true,
            ClientOpId = "op-" + Guid.NewGuid().ToString("N"),
        };

        var result = await phone.DeleteRemoteConversationsAsync(request);
        var retry = await phone.DeleteRemoteConversationsAsync(request);

        Assert.Equal([group, carol], result.Deleted.Select(d => d.ConversationId));
        Assert.Equal(result, retry);
        Assert.Empty((await phone.FetchConversationsAsync()).Data);
        var log = (await phone.SyncEventsAsync(new SyncEventsRequest { SinceSeq = result.Deleted[0].Seq - 1 })).Events;
        Assert.Equal([(group, (bool?)false), (carol, true)], log.Select(e => (e.ConversationId, e.DeleteRoam)));
    }

    [Fact]
    public async Task Without_a_clientOpId_a_repeat_skips_what_is_gone_and_answers_the_rest()
    {
        await using var node = RoamingNode.OnRedis(Prefix);
        var (alice, bob, carol) = (TestIds.User("alice"), TestIds.User("bob"), TestIds.User("carol"));
        await using var phone = await node.ConnectAsync(alice, "phone");
        await phone.SendMessageAsync(new SendMessageRequest { To = bob, ChatType = ChatTypes.SingleChat, Body = "hi" });
        var first = await phone.DeleteRemoteConversationsAsync(new DeleteRemoteConversationsRequest { Conversations = [new() { ConversationId = bob, ChatType = ChatTypes.SingleChat }] });
        await phone.SendMessageAsync(new SendMessageRequest { To = carol, ChatType = ChatTypes.SingleChat, Body = "hi" });

        var repeat = await phone.DeleteRemoteConversationsAsync(new DeleteRemoteConversationsRequest
        {
            Conversations = [new() { ConversationId = bob, ChatType = ChatTypes.SingleChat }, new() { ConversationId = carol, ChatType = ChatTypes.SingleChat }],
        });

        Assert.Equal([bob], first.Deleted.Select(d => d.ConversationId));
        Assert.Equal([carol], repeat.Deleted.Select(d => d.ConversationId));
    }
}
