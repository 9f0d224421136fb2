using System.Net;
using System.Net.Http.Json;
using RoamingHub.Contracts;
using RoamingHub.Server.Auth;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Hub;

public sealed class AdminApiTests : IClassFixture<AdminApiTests.Nodes>
{
    private readonly Nodes _nodes;

    public AdminApiTests(Nodes nodes) => _nodes = nodes;

    public sealed class Nodes : IDisposable
    {
        public RoamingNode Default { get; } = new();

        public RoamingNode UpdatingLists { get; } = new(new Dictionary<string, string?> { ["Roaming:RestMessagesUpdateConversations"] = "true" });

        public void Dispose()
        {
            Default.Dispose();
            UpdatingLists.Dispose();
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(RoamingNode node, HttpMethod method, string path, object? body = null)
    {
        using var http = node.CreateHttpClient();
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body, body.GetType()) };
        request.Headers.Add(AdminApi.ApiKeyHeader, AuthOptions.SampleAdminApiKey);
        return await http.SendAsync(request);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<T>())!;
    }

    [Fact]
    public async Task Malformed_bodies_get_INVALID_ARGUMENT_but_only_after_the_admin_key_is_checked()
    {
        using var http = _nodes.Default.CreateHttpClient();
        using var withKey = new HttpRequestMessage(HttpMethod.Post, AdminApi.Tokens) { Content = new StringContent("{not json", System.Text.Encoding.UTF8, "application/json") };
        withKey.Headers.Add(AdminApi.ApiKeyHeader, AuthOptions.SampleAdminApiKey);
        using var withoutKey = new HttpRequestMessage(HttpMethod.Post, AdminApi.Tokens) { Content = new StringContent("{not json", System.Text.Encoding.UTF8, "application/json") };

        using var bad = await http.SendAsync(withKey);
        using var anonymous = await http.SendAsync(withoutKey);

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("\"code\":\"INVALID_ARGUMENT\"", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task A_server_side_message_is_delivered_and_kept_in_history_but_leaves_the_lists_alone_by_default()
    {
        var system = TestIds.User("system");
        var alice = TestIds.User("alice");
        await using var phone = await _nodes.Default.ConnectAsync(alice, "phone");
        var inbox = new Recorder(phone);

        var sent = await ReadAsync<Message>(await SendAsync(_nodes.Default, HttpMethod.Post, AdminApi.Messages,
            new AdminSendMessageRequest { From = system, To = alice, ChatType = ChatTypes.SingleChat, Type = "notice", Body = "welcome" }));

        // Lists untouched, but the message is an entry of alice's stream all the same.
        var alicesEpoch = (await phone.GetSyncStateAsync()).Epoch;
        Assert.Equal(sent with { ConversationId = system, Seq = 1, Epoch = alicesEpoch }, (await inbox.WaitForMessagesAsync(1)).Single());
        Assert.Empty((await phone.FetchConversationsAsync()).Data);
        var history = await ReadAsync<Page<Message>>(await SendAsync(_nodes.Default, HttpMethod.Get, AdminApi.History(alice, ChatTypes.SingleChat, system)));
        Assert.Equal([sent with { ConversationId = system, Seq = null, Epoch = null }], history.Data);
        var list = await ReadAsync<Page<Conversation>>(await SendAsync(_nodes.Default, HttpMethod.Get, AdminApi.Conversations(alice)));
        Assert.Empty(list.Data);
    }

    [Fact]
    public async Task With_RestMessagesUpdateConversations_a_server_side_message_moves_the_lists_like_a_hub_send()
    {
        var system = TestIds.User("system");
        var alice = TestIds.User("alice");

        var sent = await ReadAsync<Message>(await SendAsync(_nodes.UpdatingLists, HttpMethod.Post, AdminApi.Messages,
            new AdminSendMessageRequest { From = system, To = alice, ChatType = ChatTypes.SingleChat, Body = "welcome" }));

        var list = await ReadAsync<Page<Conversation>>(await SendAsync(_nodes.UpdatingLists, HttpMethod.Get, AdminApi.Conversations(alice) + "?pageSize=5"));
        var conversation = Assert.Single(list.Data);
        Assert.Equal((system, sent.MsgId), (conversation.ConversationId, conversation.LastMessage!.MsgId));
    }

    [Fact]
    public async Task Admin_reads_page_history_like_the_hub_and_refuse_bad_input_with_a_code()
    {
        var alice = TestIds.User("alice");
        var bob = TestIds.User("bob");
        await using var phone = await _nodes.Default.ConnectAsync(alice);
        var sent = new List<Message>();
        for (var i = 0; i < 5; i++)
        {
            sent.Add(await phone.SendMessageAsync(new SendMessageRequest { To = bob, ChatType = ChatTypes.SingleChat, Body = $"m{i}" }));
        }

        var first = await ReadAsync<Page<Message>>(await SendAsync(_nodes.Default, HttpMethod.Get, AdminApi.History(bob, ChatTypes.SingleChat, alice) + "?pageSize=3"));
        var second = await ReadAsync<Page<Message>>(await SendAsync(_nodes.Default, HttpMethod.Get, AdminApi.History(bob, ChatTypes.SingleChat, alice) + $"?pageSize=3&cursor={first.Cursor}"));
        using var badSize = await SendAsync(_nodes.Default, HttpMethod.Get, AdminApi.History(bob, ChatTypes.SingleChat, alice) + "?pageSize=51");
        using var badDirection = await SendAsync(_nodes.Default, HttpMethod.Get, AdminApi.History(bob, ChatTypes.SingleChat, alice) + "?direction=sideways");
        using var noKey = await _nodes.Default.CreateHttpClient().GetAsync(AdminApi.Conversations(bob));

        Assert.Equal(sent.AsEnumerable().Reverse().Select(m => m.MsgId), first.Data.Concat(second.Data).Select(m => m.MsgId));
        Assert.Null(second.Cursor);
        Assert.Equal(HttpStatusCode.BadRequest, badSize.StatusCode);
        Assert.Contains("\"code\":\"INVALID_ARGUMENT\"", await badDirection.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
    }
}
