using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace RoamingHub.LoadTests.Fleet;

/// <summary>
/// A minimal Socket.IO client for the side-by-side runs against the Socket.IO peer (loadtests/socketio-peer): Engine.IO
/// v4 over a WebSocket only, and the Socket.IO v5 packets the peer uses, all JSON text. Written here rather than taken
/// from a package so both targets share the generator's pacing, clocks, histograms and loss accounting.
/// </summary>
/// <remarks>
/// Packets, one per WebSocket message: <c>0{…}</c> Engine.IO open (the server speaks first), <c>2</c>/<c>3</c> ping and
/// pong (the server pings, the client answers), <c>40{"token":…}</c> Socket.IO CONNECT with the auth payload, answered
/// <c>40{"sid":…}</c> or <c>44{"message":…}</c>; <c>42["name",arg]</c> an event, <c>42ID["name",arg]</c> one that wants
/// an ack, answered <c>43ID[result]</c>. Binary packets and other namespaces are never used.
/// </remarks>
internal sealed class SocketIoConnection : IAsyncDisposable
{
    /// <summary>Most pushes are one small event; a longer message is gathered into a rented buffer.</summary>
    private const int ReceiveBufferBytes = 1024;

    private readonly ClientWebSocket _socket = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<int, TaskCompletionSource<long>> _acks = new();
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly Action<long> _onEvent;
    private readonly TimeSpan _callTimeout;
    private Task? _receiving;
    private int _nextAck;
    private volatile bool _closing;

    private SocketIoConnection(Action<long> onEvent, TimeSpan callTimeout)
    {
        _onEvent = onEvent;
        _callTimeout = callTimeout;
    }

    /// <summary>Why the connection ended before <see cref="DisposeAsync"/> ended it; null while it is open.</summary>
    public Exception? ClosedWith { get; private set; }

    public bool IsOpen => ClosedWith is null && !_closing && _socket.State == WebSocketState.Open;

    /// <summary>Raised once when the server or the network ends the connection.</summary>
    public event Action<Exception>? Closed;

    /// <summary>
    /// Opens the WebSocket, sends CONNECT with <paramref name="token"/> and returns once the server admitted it.
    /// <paramref name="onEvent"/> gets the seq of every <c>event</c> push, on the receive loop.
    /// </summary>
    public static async Task<SocketIoConnection> ConnectAsync(Uri node, string token, string deviceId, TimeSpan callTimeout, Action<long> onEvent, CancellationToken cancellationToken)
    {
        var connection = new SocketIoConnection(onEvent, callTimeout);
        try
        {
            var uri = new UriBuilder(new Uri(node, "/socket.io/"))
            {
                Scheme = node.Scheme == "https" ? "wss" : "ws",
                Query = "EIO=4&transport=websocket",
            }.Uri;
            await connection._socket.ConnectAsync(uri, cancellationToken).ConfigureAwait(false);
            connection._receiving = Task.Run(connection.ReceiveLoopAsync, CancellationToken.None);
            var auth = JsonSerializer.Serialize(new Dictionary<string, string> { ["token"] = token, ["deviceId"] = deviceId });
            await connection.SendAsync("40" + auth, cancellationToken).ConfigureAwait(false);
            await connection._connected.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Emits <paramref name="name"/> with <paramref name="argument"/> (or none) and waits for its ack, whose
    /// <c>seq</c> it returns; an ack carrying <c>error</c> ("CODE: sentence") throws it.
    /// </summary>
    public async Task<long> CallAsync(string name, object? argument)
    {
        var id = Interlocked.Increment(ref _nextAck);
        var answer = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        _acks[id] = answer;
        try
        {
            var payload = argument is null ? JsonSerializer.Serialize(new object[] { name }) : JsonSerializer.Serialize(new[] { name, argument });
            await SendAsync("42" + id.ToString(CultureInfo.InvariantCulture) + payload, CancellationToken.None).ConfigureAwait(false);
            return await answer.Task.WaitAsync(_callTimeout).ConfigureAwait(false);
        }
        finally
        {
            _acks.TryRemove(id, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _closing = true;
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The other side is already gone: nothing left to close politely.
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Abort();
        if (_receiving is not null)
        {
            await _receiving.ConfigureAwait(false);
        }

        _socket.Dispose();
        _sendLock.Dispose();
        _stop.Dispose();
    }

    private async Task SendAsync(string packet, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(packet);
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[ReceiveBufferBytes];
        Exception? end = null;
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer.AsMemory(), _stop.Token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    end = new WebSocketException(WebSocketError.ConnectionClosedPrematurely, $"closed by the server: {_socket.CloseStatus} {_socket.CloseStatusDescription}");
                    break;
                }

                if (result.EndOfMessage)
                {
                    await OnPacketAsync(buffer.AsMemory(0, result.Count)).ConfigureAwait(false);
                    continue;
                }

                // A long message: gather its frames, then handle it whole.
                var whole = new ArrayBufferWriter<byte>(ReceiveBufferBytes * 4);
                whole.Write(buffer.AsSpan(0, result.Count));
                do
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(), _stop.Token).ConfigureAwait(false);
                    whole.Write(buffer.AsSpan(0, result.Count));
                }
                while (!result.EndOfMessage);
                await OnPacketAsync(whole.WrittenMemory).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            end = ex;
        }

        if (_closing)
        {
            end = null;
        }

        var failure = end ?? new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "closed");
        _connected.TrySetException(failure);
        foreach (var pending in _acks.Values)
        {
            pending.TrySetException(failure);
        }

        if (end is not null)
        {
            ClosedWith = end;
            Closed?.Invoke(end);
        }
    }

    private async Task OnPacketAsync(ReadOnlyMemory<byte> packet)
    {
        var bytes = packet.Span;
        if (bytes.IsEmpty)
        {
            return;
        }

        switch (bytes[0])
        {
            case (byte)'0': // Engine.IO open: its handshake data is not needed over a WebSocket.
                return;
            case (byte)'2': // Engine.IO ping: the server closes a client that does not answer within its timeout.
                await SendAsync("3", _stop.Token).ConfigureAwait(false);
                return;
            case (byte)'4' when bytes.Length >= 2:
                OnSocketIoPacket(bytes[1], bytes[2..]);
                return;
            default:
                return;
        }
    }

    private void OnSocketIoPacket(byte type, ReadOnlySpan<byte> body)
    {
        switch (type)
        {
            case (byte)'0': // CONNECT answered: admitted.
                _connected.TrySetResult();
                break;
            case (byte)'4': // CONNECT_ERROR {"message":"CODE: …"}
                _connected.TrySetException(new InvalidOperationException(ReadString(body, "message") ?? "connect refused"));
                break;
            case (byte)'2' when body.Length > 0 && body[0] == (byte)'[': // ["event",{"seq":…}]
                if (ReadLong(body, "seq") is { } seq)
                {
                    _onEvent(seq);
                }

                break;
            case (byte)'3': // ID[{"seq":…}] or ID[{"error":"CODE: …"}]
                var digits = 0;
                while (digits < body.Length && body[digits] is >= (byte)'0' and <= (byte)'9')
                {
                    digits++;
                }

                if (digits == 0 || !int.TryParse(body[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                    || !_acks.TryGetValue(id, out var answer))
                {
                    break;
                }

                var rest = body[digits..];
                if (ReadString(rest, "error") is { } error)
                {
                    answer.TrySetException(new InvalidOperationException(error));
                }
                else
                {
                    answer.TrySetResult(ReadLong(rest, "seq") ?? 0);
                }

                break;
        }
    }

    /// <summary>The first number named <paramref name="property"/> anywhere in the JSON, without building a document.</summary>
    private static long? ReadLong(ReadOnlySpan<byte> json, string property) =>
        Find(json, property, JsonTokenType.Number, out var reader) ? reader.GetInt64() : null;

    private static string? ReadString(ReadOnlySpan<byte> json, string property) =>
        Find(json, property, JsonTokenType.String, out var reader) ? reader.GetString() : null;

    /// <summary>Moves a reader to the value of the first <paramref name="property"/> of type <paramref name="type"/>; false for none, or for JSON it cannot read.</summary>
    private static bool Find(ReadOnlySpan<byte> json, string property, JsonTokenType type, out Utf8JsonReader reader)
    {
        reader = new Utf8JsonReader(json);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals(property) && reader.Read() && reader.TokenType == type)
                {
                    return true;
                }
            }
        }
        catch (JsonException)
        {
            // A packet this client does not understand is ignored, like any other it has no use for.
        }

        return false;
    }
}
