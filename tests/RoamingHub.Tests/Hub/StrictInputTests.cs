using System.Net;
using System.Reflection;
using System.Text.Json.Nodes;
using RoamingHub.Contracts;
using RoamingHub.Server.Hubs;
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

    /// <summary>Every hub method that takes an argument object, with that object's type, in both protocols.</summary>
    public static TheoryData<string, string, bool> MethodsWithAnArgumentObject()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var method in typeof(DeviceHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
        {
            if (method.GetParameters() is [var parameter] && parameter.ParameterType.Assembly == typeof(HubMethods).Assembly)
            {
                data.Add(method.Name, parameter.ParameterType.Name, false);
                data.Add(method.Name, parameter.ParameterType.Name, true);
            }
        }

        return data;
    }

    [Fact]
    public void Every_method_with_an_argument_object_is_covered()
    {
        Assert.Equal(36, MethodsWithAnArgumentObject().Count());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_history_call_with_searchDirection_is_refused_naming_the_field_and_the_fields_there_are(bool messagePack)
    {
        var alice = TestIds.User("alice");
        await using var connection = await RawHubConnection.ConnectAsync(_node, alice, messagePack);

        var refused = await connection.InvokeAsync(HubMethods.FetchHistoryMessages, new Dictionary<string, object?>
        {
            ["conversationId"] = "bob",
            ["chatType"] = ChatTypes.SingleChat,
            ["searchDirection"] = "down",
        });

        Assert.Equal(
            "INVALID_ARGUMENT: Unknown field 'searchDirection' in FetchHistoryMessagesRequest, whose fields are conversationId, chatType, cursor, pageSize and direction; see docs/protocol.md.",
            (string?)refused["error"]);
        var next = await connection.InvokeAsync(HubMethods.FetchHistoryMessages, new FetchHistoryMessagesRequest { ConversationId = "bob", ChatType = ChatTypes.SingleChat, Direction = HistoryDirections.Down });
        Assert.Null(next["error"]);
        Assert.Empty(next["result"]!["data"]!.AsArray());
    }

    [Theory]
    [MemberData(nameof(MethodsWithAnArgumentObject))]
    public async Task An_unknown_field_with_a_value_is_refused_by_every_method(string method, string argumentType, bool messagePack)
    {
        var alice = TestIds.User("alice");
        await using var connection = await RawHubConnection.ConnectAsync(_node, alice, messagePack);

        var refused = await connection.InvokeAsync(method, new Dictionary<string, object?> { ["bogus"] = 1 });
        var next = await connection.InvokeWithArgumentsAsync(HubMethods.GetSyncState, []);

        Assert.StartsWith($"INVALID_ARGUMENT: Unknown field 'bogus' in {argumentType}, whose ", (string?)refused["error"], StringComparison.Ordinal);
        Assert.EndsWith("; see docs/protocol.md.", (string?)refused["error"], StringComparison.Ordinal);
        Assert.Equal(0L, (long)next["result"]!["lastSeq"]!);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_unknown_field_that_is_null_is_accepted_as_a_newer_client_writes_it(bool messagePack)
    {
        var alice = TestIds.User("alice");
        var bob = TestIds.User("bob");
        await using var connection = await RawHubConnection.ConnectAsync(_node, alice, messagePack);

        var pinned = await connection.InvokeAsync(HubMethods.PinConversation, new Dictionary<string, object?>
        {
            ["conversationId"] = bob,
            ["chatType"] = ChatTypes.SingleChat,
            ["isPinned"] = true,
            ["pinReason"] = null,
        });

        Assert.Null(pinned["error"]);
        Assert.True((bool)pinned["result"]!["isPinned"]!);
    }

    [Fact]
    public async Task The_admin_api_refuses_an_unknown_body_field_with_a_value_and_accepts_a_null_one()
    {
        var alice = TestIds.User("alice");
        var bob = TestIds.User("bob");
        var refusedGroup = TestIds.User("group");
        var acceptedGroup = TestIds.User("group");

        using var refused = await AdminCalls.SendAsync(_node.BaseAddress, HttpMethod.Post, AdminApi.Groups, new Dictionary<string, object?>
        {
            ["groupId"] = refusedGroup, ["owner"] = alice, ["memberz"] = new[] { bob },
        });
        var accepted = await AdminCalls.StatusAsync(_node.BaseAddress, HttpMethod.Post, AdminApi.Groups, new Dictionary<string, object?>
        {
            ["groupId"] = acceptedGroup, ["owner"] = alice, ["members"] = new[] { bob }, ["topic"] = null,
        });

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
        Assert.Equal(ErrorCodes.InvalidArgument, (string?)problem["code"]);
        Assert.Equal(
            "Unknown field 'memberz' in CreateGroupRequest, whose fields are groupId, owner and members; see docs/protocol.md.",
            (string?)problem["detail"]);
        Assert.Equal(HttpStatusCode.NotFound, await AdminCalls.StatusAsync(_node.BaseAddress, HttpMethod.Get, AdminApi.GroupPath(refusedGroup)));
        Assert.Equal(HttpStatusCode.OK, accepted);
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
    public async Task A_future_deletion_point_stops_at_the_newest_message_so_later_messages_stay_visible_and_unread()
    {
        var alice = TestIds.User("alice");
        var bob = TestIds.User("bob");
        await using var alicePhone = await _node.ConnectAsync(alice, "phone");
        await using var bobPhone = await _node.ConnectAsync(bob, "phone");
        var before = await bobPhone.SendMessageAsync(new SendMessageRequest { To = alice, ChatType = ChatTypes.SingleChat, Body = "before" });

        var asked = DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeMilliseconds();
        var deleted = await alicePhone.DeleteRemoteMessagesBeforeAsync(new DeleteRemoteMessagesBeforeRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, Timestamp = asked });

        // The watermark is the chat's newest position, so even a message in the same millisecond comes after it.
        Assert.Equal(before.Timestamp, deleted.BeforeTimestamp);

        var after = await bobPhone.SendMessageAsync(new SendMessageRequest { To = alice, ChatType = ChatTypes.SingleChat, Body = "after" });
        var history = await alicePhone.FetchHistoryMessagesAsync(new FetchHistoryMessagesRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat });
        var conversation = Assert.Single((await alicePhone.FetchConversationsAsync()).Data);

        Assert.Equal([after.MsgId], history.Data.Select(m => m.MsgId));
        Assert.Equal((after.MsgId, 1), (conversation.LastMessage?.MsgId, conversation.UnreadCount));
    }

    private static string[] Keys(JsonNode node) => [.. node.AsObject().Select(p => p.Key)];
}
