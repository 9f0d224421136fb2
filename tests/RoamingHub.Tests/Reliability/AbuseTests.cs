using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using RoamingHub.Client;
using RoamingHub.Contracts;
using RoamingHub.Server.Auth;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Reliability;

/// <summary>Careless and hostile clients: floods, foreign origins, expired tokens, and what the logs must never hold.</summary>
public sealed class AbuseTests : IClassFixture<AbuseTests.Node>
{
    private readonly RoamingNode _node;

    public AbuseTests(Node node) => _node = node.Instance;

    public sealed class Node : IDisposable
    {
        public RoamingNode Instance { get; } = new(new Dictionary<string, string?>
        {
            // Slow refills keep the counts below independent of how fast the machine runs the loops.
            ["Roaming:RateLimit:PerConnectionPerSecond"] = "1",
            ["Roaming:RateLimit:PerConnectionBurst"] = "10",
            ["Roaming:RateLimit:PerUserPerSecond"] = "1",
            ["Roaming:RateLimit:PerUserBurst"] = "15",
            ["Auth:AllowedOrigins:0"] = "https://app.example.com",
            ["Logging:LogLevel:RoamingHub"] = "Debug",
        });

        public void Dispose() => Instance.Dispose();
    }

    [Fact]
    public async Task A_flooding_connection_gets_RATE_LIMITED_while_other_users_are_unaffected()
    {
        var flooder = TestIds.User("flooder");
        var bystander = TestIds.User("bystander");
        await using var noisy = await _node.ConnectAsync(flooder);
        await using var quiet = await _node.ConnectAsync(bystander);

        var outcomes = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            try
            {
                await noisy.GetUnreadSummaryAsync();
                outcomes.Add("ok");
            }
            catch (HubException e)
            {
                outcomes.Add(e.Message.Split(':')[0]);
            }
        }

        // A burst of 10, less the call the client makes when it starts, plus what refills (1/s) during the loop.
        Assert.InRange(outcomes.Count(o => o == "ok"), 9, 12);
        Assert.Equal(40, outcomes.Count(o => o is "ok" or ErrorCodes.RateLimited));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(0, (await quiet.GetUnreadSummaryAsync()).TotalUnread);
        }

        await Task.Delay(1200);
        Assert.Equal(0, (await noisy.GetUnreadSummaryAsync()).TotalUnread);
    }

    [Fact]
    public async Task A_user_cannot_escape_the_limit_by_opening_more_connections()
    {
        var flooder = TestIds.User("flooder");
        var connections = new List<RoamingHubClient>();
        for (var i = 0; i < 4; i++)
        {
            connections.Add(await _node.ConnectAsync(flooder, $"d{i}"));
        }

        var refused = 0;
        foreach (var connection in connections)
        {
            for (var i = 0; i < 8; i++)
            {
                try
                {
                    await connection.GetUnreadSummaryAsync();
                }
                catch (HubException e) when (e.Message.StartsWith(ErrorCodes.RateLimited, StringComparison.Ordinal))
                {
                    refused++;
                }
            }
        }

        // The user's burst of 15 is shared: 4 went on starting the connections, so about 11 of 32 calls pass.
        Assert.InRange(refused, 32 - 14, 32 - 11);
        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_browser_from_a_foreign_origin_cannot_open_a_hub_connection()
    {
        var token = await _node.IssueTokenAsync(TestIds.User("alice"));
        var uri = new UriBuilder(new Uri(_node.BaseAddress, RoamingProtocol.HubPath)) { Scheme = "ws", Query = $"access_token={token}" }.Uri;

        using var foreign = new ClientWebSocket();
        foreign.Options.SetRequestHeader("Origin", "https://evil.example.net");
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => foreign.ConnectAsync(uri, CancellationToken.None));
        using var allowed = new ClientWebSocket();
        allowed.Options.SetRequestHeader("Origin", "https://app.example.com");
        await allowed.ConnectAsync(uri, CancellationToken.None);
        using var native = new ClientWebSocket();
        await native.ConnectAsync(uri, CancellationToken.None);

        Assert.Contains("403", refused.Message, StringComparison.Ordinal);
        Assert.Equal(WebSocketState.Open, allowed.State);
        Assert.Equal(WebSocketState.Open, native.State);
    }

    [Fact]
    public async Task Tokens_and_message_bodies_never_reach_the_logs()
    {
        var alice = TestIds.User("alice");
        var bob = TestIds.User("bob");
        var secretBody = "body-" + Guid.NewGuid().ToString("N");
        var secretExt = "ext-" + Guid.NewGuid().ToString("N");
        var token = await _node.IssueTokenAsync(alice);
        await using var phone = await _node.ConnectAsync(alice, "phone");
        await using var other = await _node.ConnectAsync(bob, "phone");

        await phone.SendMessageAsync(new SendMessageRequest { To = bob, ChatType = ChatTypes.SingleChat, Body = secretBody });
        await phone.UpdateConversationExtAsync(new UpdateConversationExtRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, Ext = secretExt });
        await Assert.ThrowsAsync<HubException>(() => phone.SendMessageAsync(new SendMessageRequest { To = "b@d id", ChatType = ChatTypes.SingleChat, Body = secretBody }));
        await Assert.ThrowsAsync<HubException>(() => phone.SendMessageAsync(new SendMessageRequest { To = bob, ChatType = ChatTypes.SingleChat, Body = secretBody + new string('x', 9000) }));
        using var http = _node.CreateHttpClient();
        using var badToken = await http.PostAsync($"{RoamingProtocol.HubPath}/negotiate?negotiateVersion=1&access_token={token}x", null);

        Assert.Equal(HttpStatusCode.Unauthorized, badToken.StatusCode);
        Assert.Contains(_node.Logs, line => line.Contains("refused: INVALID_ARGUMENT", StringComparison.Ordinal));
        Assert.DoesNotContain(_node.Logs, line => line.Contains(secretBody, StringComparison.Ordinal));
        Assert.DoesNotContain(_node.Logs, line => line.Contains(secretExt, StringComparison.Ordinal));
        Assert.DoesNotContain(_node.Logs, line => line.Contains(token[..40], StringComparison.Ordinal));
    }
}

/// <summary>A node whose tokens live two seconds.</summary>
public sealed class TokenExpiryTests
{
    [Fact]
    public async Task A_connection_closes_when_its_token_expires()
    {
        using var node = new RoamingNode(new Dictionary<string, string?> { ["Auth:TokenLifetime"] = "00:00:02" });
        await using var client = await node.ConnectAsync(TestIds.User("alice"));
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Connection.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };

        Assert.Equal(HubConnectionState.Connected, client.Connection.State);
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(HubConnectionState.Disconnected, client.Connection.State);
    }
}
