using Microsoft.AspNetCore.SignalR;
using RoamingHub.Client;
using RoamingHub.Contracts;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Hub;

/// <summary>Every kind of bad input gets its stable code, and the connection keeps working afterwards.</summary>
public sealed class BadInputTests : IClassFixture<BadInputTests.Node>, IAsyncLifetime
{
    private readonly RoamingNode _node;
    private readonly string _alice = TestIds.User("alice");
    private RoamingHubClient _client = null!;

    public BadInputTests(Node node) => _node = node.Instance;

    public sealed class Node : IDisposable
    {
        public RoamingNode Instance { get; } = new();

        public void Dispose() => Instance.Dispose();
    }

    public async Task InitializeAsync() => _client = await _node.ConnectAsync(_alice, "phone");

    public async Task DisposeAsync() => await _client.DisposeAsync();

    public static TheoryData<string, object> Cases => new()
    {
        { "empty id", new PinConversationRequest { ConversationId = "", ChatType = ChatTypes.SingleChat, IsPinned = true } },
        { "null id", new PinConversationRequest { ConversationId = null, ChatType = ChatTypes.SingleChat, IsPinned = true } },
        { "65-character id", new PinConversationRequest { ConversationId = new string('a', 65), ChatType = ChatTypes.SingleChat, IsPinned = true } },
        { "space in id", new PinConversationRequest { ConversationId = "bo b", ChatType = ChatTypes.SingleChat, IsPinned = true } },
        { "non-ASCII id", new PinConversationRequest { ConversationId = "bøb", ChatType = ChatTypes.SingleChat, IsPinned = true } },
        { "unknown chatType", new PinConversationRequest { ConversationId = "bob", ChatType = "channel", IsPinned = true } },
        { "missing chatType", new PinConversationRequest { ConversationId = "bob", IsPinned = true } },
        { "pageSize 0", new FetchConversationsRequest { PageSize = 0 } },
        { "pageSize 51", new FetchConversationsRequest { PageSize = 51 } },
        { "forged cursor", new FetchConversationsRequest { Cursor = "bm90LWEtY3Vyc29y" } },
        { "garbage cursor", new FetchConversationsRequest { Cursor = "%%%" } },
        { "9 KiB body", new SendMessageRequest { To = "bob", ChatType = ChatTypes.SingleChat, Body = new string('x', 9 * 1024) } },
        { "empty body", new SendMessageRequest { To = "bob", ChatType = ChatTypes.SingleChat, Body = "" } },
        { "bad recipient", new SendMessageRequest { To = "b/b", ChatType = ChatTypes.SingleChat, Body = "hi" } },
        { "bad type", new SendMessageRequest { To = "bob", ChatType = ChatTypes.SingleChat, Body = "hi", Type = "has space" } },
        { "negative sinceSeq", new SyncEventsRequest { SinceSeq = -1 } },
        { "limit 201", new SyncEventsRequest { SinceSeq = 0, Limit = 201 } },
        { "history pageSize 51", new FetchHistoryMessagesRequest { ConversationId = "bob", ChatType = ChatTypes.SingleChat, PageSize = 51 } },
        { "history direction", new FetchHistoryMessagesRequest { ConversationId = "bob", ChatType = ChatTypes.SingleChat, Direction = "sideways" } },
        { "history cursor not a msgId", new FetchHistoryMessagesRequest { ConversationId = "bob", ChatType = ChatTypes.SingleChat, Cursor = "../x" } },
        { "history unknown cursor", new FetchHistoryMessagesRequest { ConversationId = "bob", ChatType = ChatTypes.SingleChat, Cursor = "0123456789abcdef" } },
        { "no msgIds", new DeleteRemoteMessagesWithIdsRequest { ConversationId = "bob", ChatType = ChatTypes.SingleChat, MsgIds = [] } },
        { "51 msgIds", new DeleteRemoteMessagesWithIdsRequest { ConversationId = "bob", ChatType = ChatTypes.SingleChat, MsgIds = [.. Enumerable.Range(0, 51).Select(i => $"id{i}")] } },
        { "negative timestamp", new DeleteRemoteMessagesBeforeRequest { ConversationId = "bob", ChatType = ChatTypes.SingleChat, Timestamp = -1 } },
        { "delete own conversation", new DeleteRemoteConversationRequest { ConversationId = "@self", ChatType = ChatTypes.SingleChat } },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_input_gets_INVALID_ARGUMENT_and_the_connection_keeps_working(string _, object request)
    {
        var method = request switch
        {
            PinConversationRequest => HubMethods.PinConversation,
            FetchConversationsRequest => HubMethods.FetchConversations,
            SendMessageRequest => HubMethods.SendMessage,
            SyncEventsRequest => HubMethods.SyncEvents,
            FetchHistoryMessagesRequest => HubMethods.FetchHistoryMessages,
            DeleteRemoteMessagesWithIdsRequest => HubMethods.DeleteRemoteMessagesWithIds,
            DeleteRemoteMessagesBeforeRequest => HubMethods.DeleteRemoteMessagesBefore,
            DeleteRemoteConversationRequest => HubMethods.DeleteRemoteConversation,
            _ => throw new ArgumentOutOfRangeException(nameof(request)),
        };

        if (request is DeleteRemoteConversationRequest { ConversationId: "@self" } own)
        {
            request = own with { ConversationId = _alice };
        }

        var error = await Assert.ThrowsAsync<HubException>(() => _client.Connection.InvokeCoreAsync(method, typeof(object), [request]));

        Assert.StartsWith(ErrorCodes.InvalidArgument + ": ", error.Message, StringComparison.Ordinal);
        var pinned = await _client.PinConversationAsync(new PinConversationRequest { ConversationId = "bob", ChatType = ChatTypes.SingleChat, IsPinned = true });
        Assert.True(pinned.IsPinned);
        Assert.Equal(0, (await _client.FetchConversationsAsync()).Data.Count(c => c.ConversationId != "bob"));
    }

    [Fact]
    public async Task A_cursor_for_the_conversation_list_is_refused_by_the_pinned_list()
    {
        for (var i = 0; i < 3; i++)
        {
            await _client.PinConversationAsync(new PinConversationRequest { ConversationId = $"peer{i}", ChatType = ChatTypes.SingleChat, IsPinned = true });
        }

        var page = await _client.FetchConversationsAsync(new FetchConversationsRequest { PageSize = 1 });

        var error = await Assert.ThrowsAsync<HubException>(() => _client.FetchPinnedConversationsAsync(new FetchConversationsRequest { Cursor = page.Cursor }));
        Assert.StartsWith(ErrorCodes.InvalidArgument, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_argument_object_is_INVALID_ARGUMENT()
    {
        var error = await Assert.ThrowsAsync<HubException>(() => _client.Connection.InvokeCoreAsync(HubMethods.PinConversation, typeof(object), [null]));

        Assert.StartsWith(ErrorCodes.InvalidArgument + ": ", error.Message, StringComparison.Ordinal);
    }
}
