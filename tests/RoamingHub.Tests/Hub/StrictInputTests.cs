using System.Text.Json.Nodes;
using RoamingHub.Contracts;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Hub;

/// <summary>
/// Input the server used to take silently and get wrong: unknown fields, a missing optional argument, a deletion
/// point in the future. Each is either refused with a sentence that names the mistake, or read as it was meant.
/// </summary>
public sealed class StrictInputTests : IClassFixture<StrictInputTests.Node>
{
    private readonly RoamingNode _node;

    public StrictInputTests(Node node) => _node = node.Instance;

    public sealed class Node : IDisposable
    {
        public RoamingNode Instance { get; } = new();

        public void Dispose() => Instance.Dispose();
    }

    [Theory]
    [InlineData(HubMethods.FetchConversations, false)]
    [InlineData(HubMethods.FetchConversations, true)]
    [InlineData(HubMethods.FetchPinnedConversations, false)]
    [InlineData(HubMethods.FetchPinnedConversations, true)]
    [InlineData(HubMethods.MarkAllConversationsRead, false)]
    [InlineData(HubMethods.MarkAllConversationsRead, true)]
    public async Task A_method_whose_argument_is_optional_answers_a_call_with_no_argument_at_all(string method, bool messagePack)
    {
        var alice = TestIds.User("alice");
        await using var connection = await RawHubConnection.ConnectAsync(_node, alice, messagePack);

        var bare = await connection.InvokeWithArgumentsAsync(method, []);
        var withNull = await connection.InvokeWithArgumentsAsync(method, [null]);
        var two = await connection.InvokeWithArgumentsAsync(method, [null, null]);

        Assert.Null(bare["error"]);
        Assert.Null(withNull["error"]);
        Assert.Equal(Keys(withNull["result"]!), Keys(bare["result"]!));
        Assert.Equal($"INVALID_ARGUMENT: Failed to invoke '{method}' due to an error on the server.", (string?)two["error"]);
    }

    [Fact]
    public async Task A_future_deletion_point_counts_as_now_so_later_messages_stay_visible_and_unread()
    {
        var alice = TestIds.User("alice");
        var bob = TestIds.User("bob");
        await using var alicePhone = await _node.ConnectAsync(alice, "phone");
        await using var bobPhone = await _node.ConnectAsync(bob, "phone");
        await bobPhone.SendMessageAsync(new SendMessageRequest { To = alice, ChatType = ChatTypes.SingleChat, Body = "before" });

        var asked = DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeMilliseconds();
        var earliest = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var deleted = await alicePhone.DeleteRemoteMessagesBeforeAsync(new DeleteRemoteMessagesBeforeRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, Timestamp = asked });
        var latest = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        Assert.InRange(deleted.BeforeTimestamp!.Value, earliest, latest);
        // A message in the watermark's own millisecond is hidden too ("at or before"): send once the clock has passed it.
        while (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() <= deleted.BeforeTimestamp)
        {
            await Task.Delay(1);
        }

        var after = await bobPhone.SendMessageAsync(new SendMessageRequest { To = alice, ChatType = ChatTypes.SingleChat, Body = "after" });
        var history = await alicePhone.FetchHistoryMessagesAsync(new FetchHistoryMessagesRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat });
        var conversation = Assert.Single((await alicePhone.FetchConversationsAsync()).Data);

        Assert.Equal([after.MsgId], history.Data.Select(m => m.MsgId));
        Assert.Equal((after.MsgId, 1), (conversation.LastMessage?.MsgId, conversation.UnreadCount));
    }

    private static string[] Keys(JsonNode node) => [.. node.AsObject().Select(p => p.Key)];
}
