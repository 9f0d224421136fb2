using System.Collections.Concurrent;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using RoamingHub.Contracts;
using RoamingHub.Server.Auth;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.MultiNode;

/// <summary>
/// A plain SignalR client with no catch-up code of its own: once its <c>start()</c> has resolved, every stream entry
/// made anywhere reaches it live, because the server, not the client, closes the window between the handshake and
/// the connection's delivery. Nothing arrives twice either.
/// </summary>
public sealed class ConnectWindowTests(ConnectWindowTests.Cluster nodes) : IClassFixture<ConnectWindowTests.Cluster>
{
    private const int Connects = 200;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Two nodes whose call limits let one connection pin <see cref="Connects"/> times as fast as a quick machine runs
    /// the loop (the default burst of 100 and 50 a second refused the pins of a run that took under two seconds).
    /// </summary>
    public sealed class Cluster() : TwoNodes(new Dictionary<string, string?>
    {
        ["Roaming:RateLimit:PerConnectionBurst"] = (Connects * 2).ToString(),
        ["Roaming:RateLimit:PerUserBurst"] = (Connects * 2).ToString(),
    });

    [Fact]
    public async Task A_device_that_just_connected_on_one_node_gets_a_pin_and_a_REST_message_made_at_once_on_the_other()
    {
        var user = TestIds.User("fresh");
        var peer = TestIds.User("peer");
        var token = await nodes.B.IssueTokenAsync(user);
        await using var pinner = await nodes.A.ConnectAsync(user, "pinner");
        using var admin = nodes.A.CreateHttpClient();
        admin.DefaultRequestHeaders.Add(AdminApi.ApiKeyHeader, AuthOptions.SampleAdminApiKey);

        var missed = new List<string>();
        for (var i = 0; i < Connects; i++)
        {
            var pins = new ConcurrentQueue<MultiDeviceEvent>();
            var messages = new ConcurrentQueue<Message>();
            await using var naive = new HubConnectionBuilder()
                .WithUrl(new Uri(nodes.B.BaseAddress, $"{RoamingProtocol.HubPath}?{RoamingProtocol.DeviceIdQueryParameter}=naive"), http =>
                {
                    http.AccessTokenProvider = () => Task.FromResult<string?>(token);
                    http.Transports = HttpTransportType.WebSockets;
                    http.SkipNegotiation = true;
                })
                .Build();
            naive.On<MultiDeviceEvent>(HubEvents.OnMultiDeviceEvent, pins.Enqueue);
            naive.On<Message>(HubEvents.OnMessage, messages.Enqueue);
            await naive.StartAsync();

            var pinned = await pinner.PinConversationAsync(new PinConversationRequest { ConversationId = peer, ChatType = ChatTypes.SingleChat, IsPinned = i % 2 == 0 });
            using var sent = await admin.PostAsJsonAsync(AdminApi.Messages, new AdminSendMessageRequest { From = peer, To = user, ChatType = ChatTypes.SingleChat, Body = $"m{i}" });
            sent.EnsureSuccessStatusCode();
            var message = (await sent.Content.ReadFromJsonAsync<Message>())!;

            if (!await EventuallyAsync(() => pins.Any(p => p.Seq == pinned.Seq) && messages.Any(m => m.MsgId == message.MsgId)))
            {
                missed.Add($"connect {i}: pin {(pins.Any(p => p.Seq == pinned.Seq) ? "received" : "missed")}, message {(messages.Any(m => m.MsgId == message.MsgId) ? "received" : "missed")}");
            }

            var twice = pins.Select(p => p.Seq).Concat(messages.Select(m => m.Seq ?? -1)).GroupBy(seq => seq).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            if (twice.Count > 0)
            {
                missed.Add($"connect {i}: seqs received twice: {string.Join(", ", twice)}");
            }
        }

        Assert.True(missed.Count == 0, $"{missed.Count} of {Connects} connects missed a push: {string.Join("; ", missed.Take(10))}");
    }

    /// <summary>Whether <paramref name="condition"/> holds within the patience: a bound on a wait, not a timing target.</summary>
    private static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(5);
        }

        return true;
    }
}
