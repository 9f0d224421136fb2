using System.Text.Json.Nodes;
using RoamingHub.Contracts;
using RoamingHub.Server.Auth;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Contracts;

/// <summary>JSON and MessagePack clients see the same objects: camelCase string keys, enums as strings.</summary>
public sealed class WireShapeTests : IClassFixture<WireShapeTests.Node>
{
    private readonly RoamingNode _node;

    public WireShapeTests(Node node) => _node = node.Instance;

    public sealed class Node : IDisposable
    {
        public RoamingNode Instance { get; } = new();

        public void Dispose() => Instance.Dispose();
    }

    [Fact]
    public async Task Both_protocols_carry_the_same_camelCase_objects()
    {
        var alice = TestIds.User("alice");
        var bob = TestIds.User("bob");
        await using var json = await RawHubConnection.ConnectAsync(_node, alice, messagePack: false);
        await using var messagePack = await RawHubConnection.ConnectAsync(_node, alice, messagePack: true);

        var sent = await json.InvokeAsync(HubMethods.SendMessage, new SendMessageRequest { To = bob, ChatType = ChatTypes.SingleChat, Body = "hi" });
        var pinned = await messagePack.InvokeAsync(HubMethods.PinConversation, new PinConversationRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, IsPinned = true });
        var overJson = await json.InvokeAsync(HubMethods.FetchConversations, new FetchConversationsRequest());
        var overMessagePack = await messagePack.InvokeAsync(HubMethods.FetchConversations, new FetchConversationsRequest());

        Assert.Null(sent["error"]);
        Assert.Equal("singleChat", (string?)sent["result"]!["chatType"]);
        Assert.Equal(["msgId", "conversationId", "chatType", "from", "to", "timestamp", "type", "body", "seq", "epoch"], Keys(sent["result"]!));
        Assert.Equal(["isPinned", "pinnedTime", "seq", "epoch"], Keys(pinned["result"]!));
        Assert.Equal((2L, (string?)sent["result"]!["epoch"]), ((long)pinned["result"]!["seq"]!, (string?)pinned["result"]!["epoch"]));
        Assert.True(JsonNode.DeepEquals(overJson["result"], overMessagePack["result"]), $"{overJson["result"]} != {overMessagePack["result"]}");
        var conversation = overJson["result"]!["data"]![0]!;
        Assert.Equal(["conversationId", "chatType", "lastMessage", "activityTime", "createdTime", "isPinned", "pinnedTime", "unreadCount", "ext", "peerReadTimestamp", "muted", "mutedUntil", "markedUnread", "marks"], Keys(conversation));
        Assert.Equal(bob, (string?)conversation["conversationId"]);
        Assert.Equal("hi", (string?)conversation["lastMessage"]!["body"]);
    }

    [Fact]
    public async Task History_pages_carry_the_messages_as_sent_in_both_protocols_and_over_the_admin_api()
    {
        var alice = TestIds.User("alice");
        var bob = TestIds.User("bob");
        await using var json = await RawHubConnection.ConnectAsync(_node, alice, messagePack: false);
        await using var messagePack = await RawHubConnection.ConnectAsync(_node, bob, messagePack: true);
        var bodies = new[] { "plain", "ünïcødé 漫游 \"quoted\" <tag> & 🙂", new string('x', 300), "last" };
        var sent = new List<JsonNode>();
        for (var i = 0; i < bodies.Length; i++)
        {
            var (connection, to) = i % 2 == 0 ? (json, bob) : (messagePack, alice);
            var reply = await connection.InvokeAsync(HubMethods.SendMessage, new SendMessageRequest { To = to, ChatType = ChatTypes.SingleChat, Type = "text", Body = bodies[i] });
            Assert.Null(reply["error"]);
            sent.Add(reply["result"]!);
        }

        var request = new FetchHistoryMessagesRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, PageSize = 3, Direction = HistoryDirections.Down };
        var overJson = (await json.InvokeAsync(HubMethods.FetchHistoryMessages, request))["result"]!;
        using var http = _node.CreateHttpClient();
        http.DefaultRequestHeaders.Add(AdminApi.ApiKeyHeader, AuthOptions.SampleAdminApiKey);
        var overHttp = JsonNode.Parse(await http.GetStringAsync($"/api/users/{alice}/conversations/singleChat/{bob}/messages?pageSize=3&direction=down"))!;
        var asBob = (await messagePack.InvokeAsync(HubMethods.FetchHistoryMessages, request with { ConversationId = alice }))["result"]!;

        Assert.Equal(["data", "cursor"], Keys(overJson));
        Assert.True(JsonNode.DeepEquals(overJson, overHttp), $"{overJson} != {overHttp}");
        var page = overJson["data"]!.AsArray();
        Assert.Equal(3, page.Count);
        Assert.Equal((string?)page[2]!["msgId"], (string?)overJson["cursor"]);
        for (var i = 0; i < 3; i++)
        {
            // What the sender got back is what a viewer sees, but for conversationId, which is the viewer's peer, and
            // the sender's stream entry (seq, epoch), which a history page does not have.
            Assert.Equal(["msgId", "conversationId", "chatType", "from", "to", "timestamp", "type", "body", "seq", "epoch"], Keys(page[i]!));
            Assert.NotNull(sent[i]["seq"]);
            var expected = sent[i].DeepClone();
            expected["conversationId"] = bob;
            expected["seq"] = null;
            expected["epoch"] = null;
            Assert.True(JsonNode.DeepEquals(expected, page[i]), $"{expected} != {page[i]}");
            expected["conversationId"] = alice;
            Assert.True(JsonNode.DeepEquals(expected, asBob["data"]![i]), $"{expected} != {asBob["data"]![i]}");
        }

        var rest = (await messagePack.InvokeAsync(HubMethods.FetchHistoryMessages, request with { ConversationId = alice, Cursor = (string?)asBob["cursor"] }))["result"]!;
        Assert.Equal(["data", "cursor"], Keys(rest));
        Assert.Null((string?)rest["cursor"]);
        Assert.Equal("last", (string?)rest["data"]![0]!["body"]);
        Assert.Equal((string?)sent[3]["msgId"], (string?)rest["data"]![0]!["msgId"]);
    }

    [Fact]
    public async Task Errors_begin_with_their_code_in_both_protocols()
    {
        await using var json = await RawHubConnection.ConnectAsync(_node, TestIds.User("alice"), messagePack: false);
        await using var messagePack = await RawHubConnection.ConnectAsync(_node, TestIds.User("alice"), messagePack: true);
        var bad = new FetchConversationsRequest { PageSize = 51 };

        var fromJson = (string?)(await json.InvokeAsync(HubMethods.FetchConversations, bad))["error"];
        var fromMessagePack = (string?)(await messagePack.InvokeAsync(HubMethods.FetchConversations, bad))["error"];

        Assert.Equal("INVALID_ARGUMENT: pageSize must be between 1 and 50.", fromJson);
        Assert.Equal(fromJson, fromMessagePack);
    }

    [Fact]
    public async Task Unknown_methods_and_wrongly_typed_arguments_get_INVALID_ARGUMENT_and_the_connection_stays_usable()
    {
        await using var json = await RawHubConnection.ConnectAsync(_node, TestIds.User("alice"), messagePack: false);

        var unknown = (string?)(await json.InvokeAsync("NoSuchMethod", new FetchConversationsRequest()))["error"];
        var wrongType = (string?)(await json.InvokeAsync(HubMethods.FetchConversations, new { pageSize = "twenty" }))["error"];
        var fine = await json.InvokeAsync(HubMethods.FetchConversations, new FetchConversationsRequest());

        Assert.StartsWith("INVALID_ARGUMENT: ", unknown, StringComparison.Ordinal);
        Assert.StartsWith("INVALID_ARGUMENT: ", wrongType, StringComparison.Ordinal);
        Assert.Null(fine["error"]);
    }

    private static List<string> Keys(JsonNode node) => [.. node.AsObject().Select(p => p.Key)];
}
