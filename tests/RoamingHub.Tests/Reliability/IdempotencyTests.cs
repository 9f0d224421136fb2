using System.Text.Json;
using RoamingHub.Client;
using RoamingHub.Contracts;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Reliability;

/// <summary>
/// Every mutating hub method repeated three times at once with one clientOpId, from devices on two nodes: one effect
/// (one event, one message) and the same answer every time.
/// </summary>
public sealed class IdempotencyTests : IClassFixture<IdempotencyTests.Cluster>
{
    private readonly Cluster _cluster;

    public IdempotencyTests(Cluster cluster) => _cluster = cluster;

    public sealed class Cluster : TwoNodes;

    public static TheoryData<string> Methods =>
    [
        HubMethods.SendMessage, HubMethods.PinConversation, HubMethods.DeleteRemoteMessagesBefore, HubMethods.DeleteRemoteMessagesWithIds,
        HubMethods.DeleteRemoteConversation, HubMethods.MarkConversationRead, HubMethods.MarkAllConversationsRead, HubMethods.UpdateConversationExt,
    ];

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task Three_concurrent_repeats_from_two_nodes_have_one_effect_and_one_answer(string method)
    {
        var alice = TestIds.User("alice");
        var bob = TestIds.User("bob");
        await using var bobPhone = await _cluster.B.ConnectAsync(bob, "phone");
        var earlier = await bobPhone.SendMessageAsync(new SendMessageRequest { To = alice, ChatType = ChatTypes.SingleChat, Body = "earlier" });
        await using var phone = await _cluster.A.ConnectAsync(alice, "phone");
        await using var laptop = await _cluster.B.ConnectAsync(alice, "laptop");
        await using var tablet = await _cluster.A.ConnectAsync(alice, "tablet");
        var seqBefore = (await phone.GetSyncStateAsync()).LastSeq;
        var opId = "op-" + Guid.NewGuid().ToString("N");
        object request = method switch
        {
            HubMethods.SendMessage => new SendMessageRequest { To = bob, ChatType = ChatTypes.SingleChat, Body = "once", ClientOpId = opId },
            HubMethods.PinConversation => new PinConversationRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, IsPinned = true, ClientOpId = opId },
            HubMethods.DeleteRemoteMessagesBefore => new DeleteRemoteMessagesBeforeRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, Timestamp = earlier.Timestamp, ClientOpId = opId },
            HubMethods.DeleteRemoteMessagesWithIds => new DeleteRemoteMessagesWithIdsRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, MsgIds = [earlier.MsgId], ClientOpId = opId },
            HubMethods.DeleteRemoteConversation => new DeleteRemoteConversationRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, ClientOpId = opId },
            HubMethods.MarkConversationRead => new MarkConversationReadRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, ClientOpId = opId },
            HubMethods.MarkAllConversationsRead => new MarkAllConversationsReadRequest { ClientOpId = opId },
            HubMethods.UpdateConversationExt => new UpdateConversationExtRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, Ext = "x", ClientOpId = opId },
            _ => throw new ArgumentOutOfRangeException(nameof(method)),
        };

        var resultType = method switch
        {
            HubMethods.SendMessage => typeof(Message),
            HubMethods.PinConversation => typeof(PinResult),
            HubMethods.DeleteRemoteConversation => typeof(DeleteConversationResult),
            HubMethods.MarkConversationRead => typeof(MarkReadResult),
            HubMethods.MarkAllConversationsRead => typeof(MarkAllReadResult),
            HubMethods.UpdateConversationExt => typeof(UpdateExtResult),
            _ => typeof(DeleteRoamingResult),
        };

        var answers = await Task.WhenAll(new[] { phone, laptop, tablet }.Select(device =>
            device.Connection.InvokeCoreAsync(method, resultType, [request])));

        var texts = answers.Select(a => JsonSerializer.Serialize(a, resultType)).ToList();
        Assert.All(texts, t => Assert.Equal(texts[0], t));
        // One entry in the caller's stream, a message's included.
        Assert.Equal(seqBefore + 1, (await phone.GetSyncStateAsync()).LastSeq);
        var history = await bobPhone.FetchHistoryMessagesAsync(new FetchHistoryMessagesRequest { ConversationId = alice, ChatType = ChatTypes.SingleChat });
        Assert.Equal(method == HubMethods.SendMessage ? 2 : 1, history.Data.Count);
    }

    [Fact]
    public async Task A_repeat_of_a_refused_call_gets_the_same_refusal_and_another_id_runs_anew()
    {
        var alice = TestIds.User("alice");
        await using var phone = await _cluster.A.ConnectAsync(alice, "phone");
        await using var laptop = await _cluster.B.ConnectAsync(alice, "laptop");
        var request = new DeleteRemoteConversationRequest { ConversationId = "nobody", ChatType = ChatTypes.SingleChat, ClientOpId = "same" };

        var first = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => phone.DeleteRemoteConversationAsync(request));
        await phone.PinConversationAsync(new PinConversationRequest { ConversationId = "nobody", ChatType = ChatTypes.SingleChat, IsPinned = true });
        var repeat = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => laptop.DeleteRemoteConversationAsync(request));
        var fresh = await laptop.DeleteRemoteConversationAsync(request with { ClientOpId = "other" });

        Assert.StartsWith(ErrorCodes.NotFound + ": ", first.Message, StringComparison.Ordinal);
        Assert.Equal(first.Message, repeat.Message);
        Assert.True(fresh.DeleteRoam);
    }
}
