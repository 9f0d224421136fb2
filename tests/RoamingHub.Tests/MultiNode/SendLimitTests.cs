using Microsoft.AspNetCore.SignalR;
using RoamingHub.Contracts;
using RoamingHub.Server.Api;
using RoamingHub.Server.Storage.Redis;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.MultiNode;

/// <summary>The send limit across two nodes: one bucket per user and per group in Redis, whichever node takes the call.</summary>
public sealed class SendLimitTests(SendLimitTests.Cluster cluster) : IClassFixture<SendLimitTests.Cluster>
{
    /// <summary>
    /// Each node's own call limits are far above what the test sends; the send limit lets a user reach 100 recipients
    /// at once and refills slowly, and a group 1,000.
    /// </summary>
    public sealed class Cluster() : TwoNodes(new Dictionary<string, string?>
    {
        ["Roaming:RateLimit:SendCostPerUserBurst"] = "100",
        ["Roaming:RateLimit:SendCostPerUserPerSecond"] = "1",
        ["Roaming:RateLimit:SendCostPerGroupBurst"] = "1000",
        ["Roaming:RateLimit:SendCostPerGroupPerSecond"] = "1",
    });

    private const int Members = 20;

    private static SendMessageRequest ToGroup(string groupId, string body) => new() { To = groupId, ChatType = ChatTypes.GroupChat, Body = body };

    [Fact]
    public async Task One_user_flooding_a_big_group_from_two_nodes_is_RATE_LIMITED_and_another_users_sends_are_not()
    {
        var (alice, bob, group) = (TestIds.User("alice"), TestIds.User("bob"), TestIds.User("big"));
        var others = Enumerable.Range(0, Members - 2).Select(i => TestIds.User($"member{i}")).ToList();
        await AdminCalls.GroupAsync(cluster.A.BaseAddress, HttpMethod.Post, AdminApi.Groups,
            new CreateGroupRequest { GroupId = group, Owner = alice, Members = [bob, .. others] });
        await using var onA = await cluster.A.ConnectAsync(alice, "phone");
        await using var onB = await cluster.B.ConnectAsync(alice, "laptop");
        await using var bobOnB = await cluster.B.ConnectAsync(bob, "phone");

        // Each message costs 20 of alice's 100: five go, from either node, and the sixth is refused wherever it is sent.
        var sent = 0;
        HubException? refused = null;
        for (var i = 0; i < 12 && refused is null; i++)
        {
            try
            {
                await (i % 2 == 0 ? onA : onB).SendMessageAsync(ToGroup(group, $"flood {i}"));
                sent++;
            }
            catch (HubException e)
            {
                refused = e;
            }
        }

        Assert.Equal(5, sent);
        Assert.StartsWith(ErrorCodes.RateLimited + ":", refused?.Message, StringComparison.Ordinal);
        var again = await Assert.ThrowsAsync<HubException>(() => onA.SendMessageAsync(ToGroup(group, "again") with { ClientOpId = "retry-me" }));
        Assert.StartsWith(ErrorCodes.RateLimited + ":", again.Message, StringComparison.Ordinal);

        // Bob's sends, to the same group and to alice, are not affected; nothing alice was refused was stored.
        await bobOnB.SendMessageAsync(ToGroup(group, "from bob"));
        await bobOnB.SendMessageAsync(new SendMessageRequest { To = alice, ChatType = ChatTypes.SingleChat, Body = "hi" });
        await onB.SendMessageAsync(new SendMessageRequest { To = bob, ChatType = ChatTypes.SingleChat, Body = "single chat is not charged" });
        var history = await bobOnB.FetchHistoryMessagesAsync(new FetchHistoryMessagesRequest { ConversationId = group, ChatType = ChatTypes.GroupChat, PageSize = 50 });
        Assert.Equal(["from bob", "flood 4", "flood 3", "flood 2", "flood 1", "flood 0"], history.Data.Select(m => m.Body));

        // Once alice's bucket is full again (a missing bucket is a full one), the refused call's retry with the same
        // clientOpId sends: a refusal by the send limit is not kept as the operation's outcome.
        await RedisServer.Instance.Multiplexer.GetDatabase().KeyDeleteAsync(new RedisKeys(cluster.Prefix).SendBudget(alice));
        var retried = await onB.SendMessageAsync(ToGroup(group, "again") with { ClientOpId = "retry-me" });
        Assert.Equal("again", retried.Body);
    }
}
