using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using RoamingHub.Client;
using RoamingHub.Contracts;
using RoamingHub.Server.Auth;
using RoamingHub.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RoamingHub.Tests.Security;

/// <summary>
/// A token for one user can never read or change another user's state. Every hub method and every admin endpoint is
/// aimed at other users' conversations, messages, pins, unread counts, ext and groups, on both stores: each attempt is
/// refused with its code or answered from the caller's own, empty state; no byte of the others' data comes back, and
/// their state is exactly what it was.
/// </summary>
public sealed class IsolationTests(IsolationTests.Nodes nodes, ITestOutputHelper output) : IClassFixture<IsolationTests.Nodes>
{
    private const string Answered = "answered";

    public sealed class Nodes : IDisposable
    {
        // The attempts come fast from one connection; rate limiting is tested elsewhere.
        private static readonly Dictionary<string, string?> Settings = new()
        {
            ["Roaming:RateLimit:PerConnectionBurst"] = "10000",
            ["Roaming:RateLimit:PerUserBurst"] = "10000",
        };

        public RoamingNode InMemory { get; } = new(Settings);

        public RoamingNode Redis { get; } = RoamingNode.OnRedis(TestIds.Prefix(), Settings);

        public RoamingNode For(string store) => store == "redis" ? Redis : InMemory;

        public void Dispose()
        {
            InMemory.Dispose();
            Redis.Dispose();
        }
    }

    public static TheoryData<string> Stores => new() { "in-memory", "redis" };

    [Fact]
    public async Task Pins_lists_events_and_cursors_stay_with_the_user_who_made_them()
    {
        var node = nodes.InMemory;
        var alice = TestIds.User("alice");
        var bob = TestIds.User("bob");
        await using var a = await node.ConnectAsync(alice);
        await using var b = await node.ConnectAsync(bob);
        var bobsInbox = new Recorder(b);
        for (var i = 0; i < 3; i++)
        {
            await a.PinConversationAsync(new PinConversationRequest { ConversationId = $"peer{i}", ChatType = ChatTypes.SingleChat, IsPinned = true });
        }

        var alicesPage = await a.FetchConversationsAsync(new FetchConversationsRequest { PageSize = 1 });

        Assert.Empty((await b.FetchConversationsAsync()).Data);
        Assert.Empty((await b.FetchPinnedConversationsAsync()).Data);
        Assert.Equal(0, (await b.GetSyncStateAsync()).LastSeq);
        Assert.Empty((await b.SyncEventsAsync(new SyncEventsRequest { SinceSeq = 0 })).Events);
        var error = await Assert.ThrowsAsync<HubException>(() => b.FetchConversationsAsync(new FetchConversationsRequest { Cursor = alicesPage.Cursor }));
        Assert.StartsWith(ErrorCodes.InvalidArgument, error.Message, StringComparison.Ordinal);
        await Recorder.SettleAsync();
        Assert.Empty(bobsInbox.RawEvents);
        Assert.Equal(3, (await a.FetchPinnedConversationsAsync()).Data.Count);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Every_hub_method_aimed_at_other_users_data_is_refused_or_answered_empty(string store)
    {
        var node = nodes.For(store);
        await using var victims = await Victims.SetUpAsync(node);
        var aliceBefore = await victims.AliceViewAsync();
        var bobBefore = await victims.BobViewAsync();
        await using var mallory = await Intruder.ConnectAsync(node, TestIds.User("mallory"));
        var v = victims;
        var single = ChatTypes.SingleChat;
        var group = ChatTypes.GroupChat;

        Attempt[] attempts =
        [
            // Reads come first, while the intruder's own state is still empty.
            new(HubMethods.FetchConversations, "the list from the start", new FetchConversationsRequest(), Answered, r => NoData(r)),
            new(HubMethods.FetchConversations, "with Alice's list cursor", new FetchConversationsRequest { Cursor = v.ListCursor }, ErrorCodes.InvalidArgument),
            new(HubMethods.FetchConversations, "with Alice's pin-list cursor", new FetchConversationsRequest { Cursor = v.PinCursor }, ErrorCodes.InvalidArgument),
            new(HubMethods.FetchPinnedConversations, "the pins from the start", new FetchConversationsRequest(), Answered, r => NoData(r)),
            new(HubMethods.FetchPinnedConversations, "with Alice's pin-list cursor", new FetchConversationsRequest { Cursor = v.PinCursor }, ErrorCodes.InvalidArgument),
            new(HubMethods.GetSyncState, "the sync state", null, Answered, r => r.GetProperty("lastSeq").GetInt64() == 0),
            new(HubMethods.SyncEvents, "events since 0", new SyncEventsRequest { SinceSeq = 0 }, Answered, r => r.GetProperty("events").GetArrayLength() == 0),
            new(HubMethods.SyncEvents, "events since a seq in Alice's log", new SyncEventsRequest { SinceSeq = v.AliceLastSeq - 1 }, Answered, r => r.GetProperty("events").GetArrayLength() == 0),
            new(HubMethods.GetUnreadSummary, "the unread badge", null, Answered, r => r.GetProperty("totalUnread").GetInt64() == 0),
            new(HubMethods.GetConversation, "Alice's conversation with Bob", new GetConversationRequest { ConversationId = v.Bob, ChatType = single }, ErrorCodes.NotFound),
            new(HubMethods.GetConversation, "the group", new GetConversationRequest { ConversationId = v.Group, ChatType = group }, ErrorCodes.NotFound),
            new(HubMethods.FetchConversations, "the conversations of a mark", new FetchConversationsRequest { Mark = 1 }, Answered, r => NoData(r)),
            new(HubMethods.FetchHistoryMessages, "history with Bob", History(v.Bob, single), Answered, r => NoData(r)),
            new(HubMethods.FetchHistoryMessages, "history with Bob from Alice's history cursor", History(v.Bob, single, v.HistoryCursor), ErrorCodes.InvalidArgument),
            new(HubMethods.FetchHistoryMessages, "history with Bob from Alice's cursor, downwards", History(v.Bob, single, v.HistoryCursor, HistoryDirections.Down), ErrorCodes.InvalidArgument),
            new(HubMethods.FetchHistoryMessages, "history with Alice", History(v.Alice, single), Answered, r => NoData(r)),
            new(HubMethods.FetchHistoryMessages, "history with Alice from Alice's cursor", History(v.Alice, single, v.HistoryCursor), ErrorCodes.InvalidArgument),
            new(HubMethods.FetchHistoryMessages, "history of a group she is not in", History(v.Group, group), ErrorCodes.Forbidden),
            new(HubMethods.FetchHistoryMessages, "history of that group from one of its msgIds", History(v.Group, group, v.GroupMsgId), ErrorCodes.Forbidden),

            // Writes aimed at the others' conversations.
            new(HubMethods.SendMessage, "a message to a group she is not in", new SendMessageRequest { To = v.Group, ChatType = group, Body = "let me in" }, ErrorCodes.Forbidden),
            new(HubMethods.SendMessage, "the same, with Alice's clientMsgId", new SendMessageRequest { To = v.Group, ChatType = group, Body = "let me in", ClientMsgId = v.ClientMsgId }, ErrorCodes.Forbidden),
            new(HubMethods.PinConversation, "pin that group", Pin(v.Group, group, true), ErrorCodes.Forbidden),
            new(HubMethods.PinConversation, "unpin the conversation Alice pinned", Pin(v.Bob, single, false), Answered, r => r.GetProperty("seq").ValueKind == JsonValueKind.Null),
            new(HubMethods.DeleteRemoteMessagesBefore, "hide that group's history", new DeleteRemoteMessagesBeforeRequest { ConversationId = v.Group, ChatType = group, Timestamp = v.Now }, ErrorCodes.Forbidden),
            new(HubMethods.DeleteRemoteMessagesWithIds, "hide Alice's msgIds in a chat with Bob", new DeleteRemoteMessagesWithIdsRequest { ConversationId = v.Bob, ChatType = single, MsgIds = [v.FirstMsgId, v.HistoryCursor] }, Answered, r => r.GetProperty("msgIds").GetArrayLength() == 0),
            new(HubMethods.DeleteRemoteMessagesWithIds, "hide the group's message", new DeleteRemoteMessagesWithIdsRequest { ConversationId = v.Group, ChatType = group, MsgIds = [v.GroupMsgId] }, ErrorCodes.Forbidden),
            new(HubMethods.DeleteRemoteConversation, "delete Alice's conversation with Bob", new DeleteRemoteConversationRequest { ConversationId = v.Bob, ChatType = single }, ErrorCodes.NotFound),
            new(HubMethods.DeleteRemoteConversation, "delete the group from a list", new DeleteRemoteConversationRequest { ConversationId = v.Group, ChatType = group }, ErrorCodes.NotFound),
            new(HubMethods.MarkConversationRead, "read Alice's conversation with Bob", Read(v.Bob, single), ErrorCodes.NotFound),
            new(HubMethods.MarkConversationRead, "read Bob's conversation with Alice", Read(v.Alice, single), ErrorCodes.NotFound),
            new(HubMethods.MarkConversationRead, "read the group", Read(v.Group, group), ErrorCodes.NotFound),
            new(HubMethods.UpdateConversationExt, "set ext on Alice's conversation with Bob", Ext(v.Bob, single, null), ErrorCodes.NotFound),
            new(HubMethods.UpdateConversationExt, "the same, replaying Alice's clientOpId", Ext(v.Bob, single, v.ClientOpId), ErrorCodes.NotFound),
            new(HubMethods.UpdateConversationExt, "set ext on the group", Ext(v.Group, group, null), ErrorCodes.NotFound),
            new(HubMethods.SetConversationMuted, "mute that group", new SetConversationMutedRequest { ConversationId = v.Group, ChatType = group, Muted = true }, ErrorCodes.Forbidden),
            new(HubMethods.MarkConversationUnread, "mark Alice's conversation with Bob unread", new MarkConversationUnreadRequest { ConversationId = v.Bob, ChatType = single }, ErrorCodes.NotFound),
            new(HubMethods.SetConversationMarks, "mark Alice's conversation with Bob", new SetConversationMarksRequest { ConversationId = v.Bob, ChatType = single, Add = [1] }, ErrorCodes.NotFound),
            new(HubMethods.DeleteRemoteConversations, "delete Alice's conversation with Bob and the group at once", new DeleteRemoteConversationsRequest
            {
                Conversations = [new() { ConversationId = v.Bob, ChatType = single }, new() { ConversationId = v.Group, ChatType = group }],
            }, Answered, r => r.GetProperty("deleted").GetArrayLength() == 0),
            new(HubMethods.RecallMessage, "recall Alice's message to Bob", new RecallMessageRequest { ConversationId = v.Bob, ChatType = single, MsgId = v.FirstMsgId }, ErrorCodes.NotFound),
            new(HubMethods.RecallMessage, "recall the group's message", new RecallMessageRequest { ConversationId = v.Group, ChatType = group, MsgId = v.GroupMsgId }, ErrorCodes.Forbidden),
            // The one write that names nobody: it may only ever touch the caller, even with Alice's clientOpId.
            new(HubMethods.MarkAllConversationsRead, "mark all read, replaying Alice's clientOpId", new MarkAllConversationsReadRequest { ClientOpId = v.ClientOpId }, Answered, r => r.GetProperty("seq").GetInt64() == 1),
        ];

        var outcomes = new List<string>();
        foreach (var attempt in attempts)
        {
            var (outcome, answer) = await mallory.TryAsync(attempt.Method, attempt.Argument);
            Assert.True(outcome == attempt.Expected, $"{attempt.Method} ({attempt.What}): {outcome}");
            Assert.True(attempt.IsEmpty?.Invoke(answer) ?? true, $"{attempt.Method} ({attempt.What}) answered {answer}");
            outcomes.Add(outcome);
        }

        // Everything the others keep is exactly as it was, and Alice's cursors still work for her.
        Assert.Equal(aliceBefore, await victims.AliceViewAsync());
        Assert.Equal(bobBefore, await victims.BobViewAsync());
        Assert.Single((await victims.AliceClient.FetchConversationsAsync(new FetchConversationsRequest { Cursor = v.ListCursor, PageSize = 1 })).Data);
        Assert.Single((await victims.AliceClient.FetchPinnedConversationsAsync(new FetchConversationsRequest { Cursor = v.PinCursor, PageSize = 1 })).Data);

        // What the others do from now on reaches only their own devices.
        await victims.AliceClient.PinConversationAsync(Pin(v.Ghost, single, false));
        await victims.BobClient.SendMessageAsync(new SendMessageRequest { To = v.Alice, ChatType = single, Body = v.Secret + " after" });
        await victims.AliceClient.SendMessageAsync(new SendMessageRequest { To = v.Group, ChatType = group, Body = v.Secret + " after" });
        await Recorder.SettleAsync();
        Assert.Empty(mallory.Pushes);

        var untried = HubMethodNames().Except(attempts.Select(a => a.Method)).ToList();
        Assert.True(untried.Count == 0, "hub methods no attempt covers: " + string.Join(", ", untried));
        mallory.AssertNothingContains(v.Markers);
        output.WriteLine($"{store}: {attempts.Length} attempts on {attempts.Select(a => a.Method).Distinct().Count()} hub methods: "
            + string.Join(", ", outcomes.GroupBy(o => o).Select(g => $"{g.Count()} {g.Key}")) + $"; {mallory.Seen.Count} answers scanned, 0 bytes of the others' data");
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Every_admin_endpoint_refuses_callers_without_the_admin_key_and_changes_nothing(string store)
    {
        var node = nodes.For(store);
        await using var victims = await Victims.SetUpAsync(node);
        var aliceBefore = await victims.AliceViewAsync();
        var bobBefore = await victims.BobViewAsync();
        var v = victims;
        var userToken = await node.IssueTokenAsync(v.Alice);
        var intruderGroup = TestIds.User("grab");

        (HttpMethod Method, string Path, object? Body)[] routes =
        [
            (HttpMethod.Post, AdminApi.Tokens, new IssueTokenRequest { UserId = v.Alice }),
            (HttpMethod.Post, AdminApi.Messages, new AdminSendMessageRequest { From = v.Alice, To = v.Bob, ChatType = ChatTypes.SingleChat, Body = "forged" }),
            (HttpMethod.Get, AdminApi.Conversations(v.Alice), null),
            (HttpMethod.Get, AdminApi.History(v.Alice, ChatTypes.SingleChat, v.Bob), null),
            (HttpMethod.Post, AdminApi.Groups, new CreateGroupRequest { GroupId = intruderGroup, Owner = v.Alice, Members = [v.Bob] }),
            (HttpMethod.Get, AdminApi.GroupPath(v.Group), null),
            (HttpMethod.Post, AdminApi.GroupMembers(v.Group), new AddGroupMembersRequest { Members = ["mallory"] }),
            (HttpMethod.Delete, AdminApi.GroupMember(v.Group, v.Bob), null),
            (HttpMethod.Delete, AdminApi.GroupPath(v.Group), null),
        ];
        (string Name, Action<HttpRequestMessage> Apply, bool UpperCasePath)[] credentials =
        [
            ("no key", _ => { }, false),
            ("a wrong key of the right length", r => r.Headers.Add(AdminApi.ApiKeyHeader, WrongKey()), false),
            ("an empty key", r => r.Headers.Add(AdminApi.ApiKeyHeader, ""), false),
            ("Alice's user token as the key", r => r.Headers.Add(AdminApi.ApiKeyHeader, userToken), false),
            ("Alice's user token as a bearer token", r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", userToken), false),
            ("Alice's user token in the query string", r => r.RequestUri = new Uri(r.RequestUri + "?access_token=" + userToken, UriKind.Relative), false),
            ("no key, on the path in upper case", _ => { }, true),
        ];

        using var http = node.CreateHttpClient();
        var answers = new List<string>();
        foreach (var (method, path, body) in routes)
        {
            foreach (var (name, apply, upperCase) in credentials)
            {
                using var request = new HttpRequestMessage(method, new Uri(upperCase ? path.Replace("/api/", "/API/", StringComparison.Ordinal) : path, UriKind.Relative))
                {
                    Content = body is null ? null : JsonContent.Create(body, body.GetType()),
                };
                apply(request);
                using var response = await http.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                answers.Add(response.Headers + text);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} with {name}: {(int)response.StatusCode} {text}");
                Assert.Equal(ErrorCodes.Unauthenticated, JsonDocument.Parse(text).RootElement.GetProperty("code").GetString());
            }
        }

        Assert.Equal(aliceBefore, await victims.AliceViewAsync());
        Assert.Equal(bobBefore, await victims.BobViewAsync());
        using (var check = new HttpRequestMessage(HttpMethod.Get, AdminApi.GroupPath(intruderGroup)))
        {
            check.Headers.Add(AdminApi.ApiKeyHeader, AuthOptions.SampleAdminApiKey);
            using var created = await http.SendAsync(check);
            Assert.Equal(HttpStatusCode.NotFound, created.StatusCode);
        }

        var untried = AdminRoutes(node).Except(routes.Select(r => (r.Method.Method, Pattern(r.Path)))).ToList();
        Assert.True(untried.Count == 0, "admin routes no attempt covers: " + string.Join(", ", untried));
        Assert.All(answers, answer => Assert.DoesNotContain(v.Markers, answer.Contains));
        output.WriteLine($"{store}: {answers.Count} attempts ({routes.Length} admin routes x {credentials.Length} credentials): {answers.Count} refused with 401 {ErrorCodes.Unauthenticated}, 0 bytes of the others' data");
    }

    private sealed record Attempt(string Method, string What, object? Argument, string Expected, Func<JsonElement, bool>? IsEmpty = null);

    private static bool NoData(JsonElement page) =>
        page.GetProperty("data").GetArrayLength() == 0 && page.GetProperty("cursor").ValueKind == JsonValueKind.Null;

    private static FetchHistoryMessagesRequest History(string conversationId, string chatType, string? cursor = null, string? direction = null) =>
        new() { ConversationId = conversationId, ChatType = chatType, Cursor = cursor, Direction = direction };

    private static PinConversationRequest Pin(string conversationId, string chatType, bool isPinned) =>
        new() { ConversationId = conversationId, ChatType = chatType, IsPinned = isPinned };

    private static MarkConversationReadRequest Read(string conversationId, string chatType) => new() { ConversationId = conversationId, ChatType = chatType };

    private static UpdateConversationExtRequest Ext(string conversationId, string chatType, string? clientOpId) =>
        new() { ConversationId = conversationId, ChatType = chatType, Ext = "mine now", ClientOpId = clientOpId };

    private static string WrongKey()
    {
        var key = AuthOptions.SampleAdminApiKey.ToCharArray();
        key[^1] = key[^1] == 'x' ? 'y' : 'x';
        return new string(key);
    }

    /// <summary>Every public method of the hub a client can invoke.</summary>
    private static IEnumerable<string> HubMethodNames() =>
        typeof(Server.Hubs.DeviceHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.Name is not (nameof(Microsoft.AspNetCore.SignalR.Hub.OnConnectedAsync) or nameof(Microsoft.AspNetCore.SignalR.Hub.OnDisconnectedAsync)))
            .Select(m => m.Name);

    /// <summary>Every admin route the node serves, as (HTTP method, route pattern).</summary>
    private static IEnumerable<(string, string)> AdminRoutes(RoamingNode node) =>
        node.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api", StringComparison.Ordinal) == true)
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => (m, e.RoutePattern.RawText!)));

    /// <summary>The route pattern a concrete admin path was built from, by the parameter names AdminEndpoints uses.</summary>
    private static string Pattern(string path)
    {
        var parts = path.Split('/');
        string[] names = parts switch
        {
            [_, "api", "users", _, "conversations", _, _, "messages"] => ["", "api", "users", "{userId}", "conversations", "{chatType}", "{conversationId}", "messages"],
            [_, "api", "users", _, "conversations"] => ["", "api", "users", "{userId}", "conversations"],
            [_, "api", "groups", _, "members", _] => ["", "api", "groups", "{groupId}", "members", "{userId}"],
            [_, "api", "groups", _, "members"] => ["", "api", "groups", "{groupId}", "members"],
            [_, "api", "groups", _] => ["", "api", "groups", "{groupId}"],
            _ => parts,
        };
        return string.Join('/', names);
    }

    /// <summary>
    /// Alice and Bob, with everything another user must not reach: messages in a single chat and a group (with
    /// Carol), pins, ext, unread counts, an unfinished walk through Alice's lists and a history cursor. The markers
    /// are data an intruder never names, so finding one in anything it receives is a leak.
    /// </summary>
    private sealed class Victims : IAsyncDisposable
    {
        public RoamingHubClient AliceClient { get; private set; } = null!;
        public RoamingHubClient BobClient { get; private set; } = null!;
        public string Secret { get; } = "secret-" + Guid.NewGuid().ToString("N");
        public string Alice { get; } = TestIds.User("alice");
        public string Bob { get; } = TestIds.User("bob");
        public string Carol { get; } = TestIds.User("carol");
        public string Ghost { get; } = TestIds.User("ghost");
        public string Group { get; } = TestIds.User("team");
        public string ClientMsgId { get; } = "cm" + Guid.NewGuid().ToString("N");
        public string ClientOpId { get; } = "op-" + Guid.NewGuid().ToString("N");
        public long Now { get; } = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        public string ListCursor { get; private set; } = "";
        public string PinCursor { get; private set; } = "";
        public string HistoryCursor { get; private set; } = "";
        public string FirstMsgId { get; private set; } = "";
        public string GroupMsgId { get; private set; } = "";
        public long AliceLastSeq { get; private set; }
        public IReadOnlyList<string> Markers { get; private set; } = [];

        public static async Task<Victims> SetUpAsync(RoamingNode node)
        {
            var victims = new Victims();
            try
            {
                await victims.FillAsync(node);
                return victims;
            }
            catch
            {
                await victims.DisposeAsync();
                throw;
            }
        }

        public Task<string> AliceViewAsync() => ViewAsync(AliceClient, (Bob, ChatTypes.SingleChat), (Ghost, ChatTypes.SingleChat), (Group, ChatTypes.GroupChat));

        public Task<string> BobViewAsync() => ViewAsync(BobClient, (Alice, ChatTypes.SingleChat), (Group, ChatTypes.GroupChat));

        public async ValueTask DisposeAsync()
        {
            if (AliceClient is not null)
            {
                await AliceClient.DisposeAsync();
            }

            if (BobClient is not null)
            {
                await BobClient.DisposeAsync();
            }
        }

        private async Task FillAsync(RoamingNode node)
        {
            using (var http = node.CreateHttpClient())
            using (var create = new HttpRequestMessage(HttpMethod.Post, AdminApi.Groups))
            {
                create.Content = JsonContent.Create(new CreateGroupRequest { GroupId = Group, Owner = Alice, Members = [Bob, Carol] });
                create.Headers.Add(AdminApi.ApiKeyHeader, AuthOptions.SampleAdminApiKey);
                using var created = await http.SendAsync(create);
                Assert.Equal(HttpStatusCode.OK, created.StatusCode);
            }

            AliceClient = await node.ConnectAsync(Alice, "phone");
            BobClient = await node.ConnectAsync(Bob, "phone");
            var single = ChatTypes.SingleChat;
            var sent = new List<Message>();
            for (var i = 0; i < 3; i++)
            {
                sent.Add(await AliceClient.SendMessageAsync(new SendMessageRequest { To = Bob, ChatType = single, Body = $"{Secret} to Bob {i}", ClientMsgId = i == 0 ? ClientMsgId : null }));
            }

            sent.Add(await BobClient.SendMessageAsync(new SendMessageRequest { To = Alice, ChatType = single, Body = $"{Secret} to Alice" }));
            await AliceClient.SendMessageAsync(new SendMessageRequest { To = Ghost, ChatType = single, Body = $"{Secret} to Ghost" });
            GroupMsgId = (await AliceClient.SendMessageAsync(new SendMessageRequest { To = Group, ChatType = ChatTypes.GroupChat, Body = $"{Secret} to the team" })).MsgId;
            await AliceClient.PinConversationAsync(Pin(Bob, single, true));
            await AliceClient.PinConversationAsync(Pin(Ghost, single, true));
            // The same clientOpId on two methods: an intruder replaying it must never be answered with these outcomes.
            await AliceClient.UpdateConversationExtAsync(new UpdateConversationExtRequest { ConversationId = Bob, ChatType = single, Ext = Secret + "-ext", ClientOpId = ClientOpId });
            await AliceClient.MarkAllConversationsReadAsync(new MarkAllConversationsReadRequest { ClientOpId = ClientOpId });
            // A read point covers its whole millisecond; Bob's next message must come in a later one to stay unread.
            await Task.Delay(20);
            sent.Add(await BobClient.SendMessageAsync(new SendMessageRequest { To = Alice, ChatType = single, Body = $"{Secret} still unread" }));

            ListCursor = (await AliceClient.FetchConversationsAsync(new FetchConversationsRequest { PageSize = 1 })).Cursor!;
            PinCursor = (await AliceClient.FetchPinnedConversationsAsync(new FetchConversationsRequest { PageSize = 1 })).Cursor!;
            HistoryCursor = (await AliceClient.FetchHistoryMessagesAsync(new FetchHistoryMessagesRequest { ConversationId = Bob, ChatType = single, PageSize = 2 })).Cursor!;
            FirstMsgId = sent[0].MsgId;
            AliceLastSeq = (await AliceClient.GetSyncStateAsync()).LastSeq;
            Assert.Equal(1, (await AliceClient.GetUnreadSummaryAsync()).TotalUnread);
            Assert.Equal(4, (await BobClient.GetUnreadSummaryAsync()).TotalUnread);
            Assert.DoesNotContain(HistoryCursor, new[] { sent[1].MsgId, sent[2].MsgId });
            Markers = [Secret, Ghost, Carol, sent[1].MsgId, sent[2].MsgId];
        }

        /// <summary>Everything a user can read of their own state, serialized, so two views compare byte for byte.</summary>
        private static async Task<string> ViewAsync(RoamingHubClient client, params (string Id, string ChatType)[] chats)
        {
            var view = new List<object>();
            string? cursor = null;
            do
            {
                var page = await client.FetchConversationsAsync(new FetchConversationsRequest { Cursor = cursor, PageSize = 50 });
                view.Add(page.Data);
                cursor = page.Cursor;
            }
            while (cursor is not null);

            view.Add((await client.FetchPinnedConversationsAsync(new FetchConversationsRequest { PageSize = 50 })).Data);
            view.Add(await client.GetUnreadSummaryAsync());
            view.Add(await client.GetSyncStateAsync());
            view.Add((await client.SyncEventsAsync(new SyncEventsRequest { SinceSeq = 0, Limit = 200 })).Events);
            foreach (var (id, chatType) in chats)
            {
                view.Add((await client.FetchHistoryMessagesAsync(new FetchHistoryMessagesRequest { ConversationId = id, ChatType = chatType, PageSize = 50 })).Data);
            }

            return JsonSerializer.Serialize(view);
        }
    }

    /// <summary>
    /// The intruder: a plain SignalR connection in JSON whose every answer, error and push is kept as the text that
    /// came off the wire, so a leak of any field, known or not, shows.
    /// </summary>
    private sealed class Intruder : IAsyncDisposable
    {
        private readonly HubConnection _connection;
        private readonly ConcurrentQueue<string> _pushes = new();
        private readonly List<string> _seen = [];

        private Intruder(HubConnection connection)
        {
            _connection = connection;
            foreach (var method in new[] { HubEvents.OnMessage, HubEvents.OnMultiDeviceEvent, HubEvents.OnReadAck })
            {
                connection.On<JsonElement>(method, push => _pushes.Enqueue(push.GetRawText()));
            }
        }

        public IReadOnlyCollection<string> Pushes => _pushes;

        public IReadOnlyList<string> Seen => [.. _seen, .. _pushes];

        public static async Task<Intruder> ConnectAsync(RoamingNode node, string userId)
        {
            var token = await node.IssueTokenAsync(userId);
            var connection = new HubConnectionBuilder()
                // The same device name as Alice's: list walks are kept per user and device, and must stay per user.
                .WithUrl(new Uri(node.BaseAddress, $"{RoamingProtocol.HubPath}?{RoamingProtocol.DeviceIdQueryParameter}=phone"), http =>
                {
                    http.AccessTokenProvider = () => Task.FromResult<string?>(token);
                    http.Transports = HttpTransportType.WebSockets;
                    http.SkipNegotiation = true;
                })
                .Build();
            var intruder = new Intruder(connection);
            await connection.StartAsync();
            return intruder;
        }

        /// <summary>Invokes a method; returns the error code it was refused with, or <see cref="Answered"/> and the answer.</summary>
        public async Task<(string Outcome, JsonElement Answer)> TryAsync(string method, object? argument)
        {
            try
            {
                var answer = await _connection.InvokeCoreAsync<JsonElement>(method, argument is null ? [] : [argument]);
                _seen.Add(answer.GetRawText());
                return (Answered, answer);
            }
            catch (HubException refused)
            {
                _seen.Add(refused.Message);
                return (refused.Message.Split(':')[0], default);
            }
        }

        public void AssertNothingContains(IReadOnlyList<string> markers)
        {
            foreach (var text in Seen)
            {
                Assert.DoesNotContain(markers, text.Contains);
            }
        }

        public async ValueTask DisposeAsync() => await _connection.DisposeAsync();
    }
}
