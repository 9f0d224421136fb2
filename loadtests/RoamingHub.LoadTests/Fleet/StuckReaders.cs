using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using RoamingHub.Contracts;

namespace RoamingHub.LoadTests.Fleet;

/// <summary>
/// Devices that connect, complete the handshake and then never read a byte: the slowest recipients a server can
/// have. They share the users of the fleet (users 0, 1, 2…), so the scenario's messages reach them, and their
/// effect shows in the other devices' figures. They are no part of the delivery ledger.
/// </summary>
internal sealed class StuckReaders : IAsyncDisposable
{
    private readonly List<ClientWebSocket> _sockets = [];

    public int Count => _sockets.Count;

    public static async Task<StuckReaders> OpenAsync(LoadOptions options, CancellationToken cancellationToken)
    {
        var readers = new StuckReaders();
        using var http = new HttpClient();
        for (var user = 0; user < options.StuckReaders; user++)
        {
            var node = options.Nodes[user % options.Nodes.Count];
            using var response = await AdminRequests.PostAsync(
                http, node, AdminApi.Tokens, new IssueTokenRequest { UserId = DeviceFleet.UserIdOf(options.RunId, user) }, options.AdminApiKey, cancellationToken).ConfigureAwait(false);
            var token = (await response.Content.ReadFromJsonAsync<IssueTokenResponse>(cancellationToken).ConfigureAwait(false))!.AccessToken;

            var socket = new ClientWebSocket();
            // A small receive buffer, so the kernel's buffers hold little and the server's queue for it fills.
            socket.Options.SetBuffer(1024, 1024);
            var uri = new UriBuilder(new Uri(node, RoamingProtocol.HubPath))
            {
                Scheme = node.Scheme == "https" ? "wss" : "ws",
                Query = $"{RoamingProtocol.AccessTokenQueryParameter}={token}&{RoamingProtocol.DeviceIdQueryParameter}=stuck",
            }.Uri;
            await socket.ConnectAsync(uri, cancellationToken).ConfigureAwait(false);
            await socket.SendAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e"), WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
            readers._sockets.Add(socket);
        }

        return readers;
    }

    public ValueTask DisposeAsync()
    {
        foreach (var socket in _sockets)
        {
            socket.Abort();
            socket.Dispose();
        }

        return ValueTask.CompletedTask;
    }
}
