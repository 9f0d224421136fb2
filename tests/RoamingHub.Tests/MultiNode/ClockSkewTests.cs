using Microsoft.Extensions.DependencyInjection;
using RoamingHub.Client;
using RoamingHub.Contracts;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.MultiNode;

/// <summary>
/// Two nodes on one Redis, one of them an hour ahead: positions come from each chat's own script and read points and
/// deletion points stop at the chat's newest message, so the node's clock can neither reorder messages nor hide them
/// nor keep them from counting as unread.
/// </summary>
public sealed class ClockSkewTests : IClassFixture<ClockSkewTests.SkewedNodes>
{
    private readonly SkewedNodes _nodes;

    public ClockSkewTests(SkewedNodes nodes) => _nodes = nodes;

    /// <summary>Node <c>Ahead</c> runs an hour ahead of node <c>OnTime</c>; both share one Redis and key prefix.</summary>
    public sealed class SkewedNodes : IDisposable
    {
        public SkewedNodes()
        {
            var prefix = TestIds.Prefix();
            OnTime = RoamingNode.OnRedis(prefix);
            Ahead = new RoamingNode(
                new Dictionary<string, string?>
                {
                    ["ConnectionStrings:Redis"] = RedisServer.Instance.ConnectionString,
                    ["Roaming:RedisKeyPrefix"] = prefix,
                },
                services: services => services.AddSingleton<TimeProvider>(new SkewedTime(TimeSpan.FromHours(1))));
        }

        public RoamingNode OnTime { get; }

        public RoamingNode Ahead { get; }

        public void Dispose()
        {
            OnTime.Dispose();
            Ahead.Dispose();
        }
    }

    private sealed class SkewedTime(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
    }

    private static SendMessageRequest Single(string to, string body) => new() { To = to, ChatType = ChatTypes.SingleChat, Body = body };

    private static async Task<Conversation> ConversationAsync(RoamingHubClient client, string conversationId) =>
        (await client.FetchConversationsAsync(new FetchConversationsRequest { PageSize = 50 })).Data.Single(c => c.ConversationId == conversationId);

    [Fact]
    public async Task Messages_stored_through_either_node_keep_their_order_count_as_unread_and_stay_visible()
    {
        var alice = TestIds.User("alice");
        var bob = TestIds.User("bob");
        // Tokens from the node on time: the node ahead would sign them an hour into the future.
        var issuer = _nodes.OnTime.BaseAddress;
        await using var aliceAhead = await RoamingNode.ConnectAsync(_nodes.Ahead.BaseAddress, alice, "tablet", issuer: issuer);
        await using var aliceOnTime = await _nodes.OnTime.ConnectAsync(alice, "phone");
        await using var bobAhead = await RoamingNode.ConnectAsync(_nodes.Ahead.BaseAddress, bob, "phone", issuer: issuer);
        await using var bobOnTime = await _nodes.OnTime.ConnectAsync(bob, "laptop");

        // Order: a message through the node ahead, then one through the node on time, come back in that order.
        var first = await aliceAhead.SendMessageAsync(Single(bob, "first, an hour ahead"));
        var second = await aliceOnTime.SendMessageAsync(Single(bob, "second, on time"));
        var history = await bobOnTime.FetchHistoryMessagesAsync(new FetchHistoryMessagesRequest { ConversationId = alice, ChatType = ChatTypes.SingleChat });
        Assert.Equal([second.MsgId, first.MsgId], history.Data.Select(m => m.MsgId));   // newest first

        // Reading through the node ahead reads what the chat holds, not an hour of messages still to come.
        var read = await bobAhead.MarkConversationReadAsync(new MarkConversationReadRequest { ConversationId = alice, ChatType = ChatTypes.SingleChat });
        var third = await aliceOnTime.SendMessageAsync(Single(bob, "third"));
        Assert.Equal(0, read.UnreadCount);
        Assert.Equal((third.MsgId, 1), ((await ConversationAsync(bobOnTime, alice)).LastMessage?.MsgId, (await ConversationAsync(bobOnTime, alice)).UnreadCount));

        // So does reading everything.
        await bobAhead.MarkAllConversationsReadAsync();
        var fourth = await aliceOnTime.SendMessageAsync(Single(bob, "fourth"));
        Assert.Equal(new UnreadSummary { TotalUnread = 1, ConversationsWithUnread = 1, TotalUnreadUnmuted = 1 }, await bobOnTime.GetUnreadSummaryAsync());
        Assert.Equal(fourth.MsgId, (await ConversationAsync(bobOnTime, alice)).LastMessage?.MsgId);

        // Deleting up to the node's "now" hides what the chat holds; what comes after stays visible.
        await bobAhead.DeleteRemoteMessagesBeforeAsync(new DeleteRemoteMessagesBeforeRequest
        {
            ConversationId = alice, ChatType = ChatTypes.SingleChat, Timestamp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds(),
        });
        var fifth = await aliceOnTime.SendMessageAsync(Single(bob, "fifth"));
        var visible = await bobOnTime.FetchHistoryMessagesAsync(new FetchHistoryMessagesRequest { ConversationId = alice, ChatType = ChatTypes.SingleChat });
        Assert.Equal([fifth.MsgId], visible.Data.Select(m => m.MsgId));
        Assert.Equal((fifth.MsgId, 1), ((await ConversationAsync(bobOnTime, alice)).LastMessage?.MsgId, (await ConversationAsync(bobOnTime, alice)).UnreadCount));
    }
}
