using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using MessagePack;
using RoamingHub.Contracts;

namespace RoamingHub.Tests.Infrastructure;

/// <summary>
/// A hub connection spoken by hand over a raw WebSocket, in the JSON or the MessagePack hub protocol, as a client in
/// another language would. Results come back as JSON (MessagePack converted), so tests see exactly what is on the wire.
/// </summary>
public sealed class RawHubConnection : IAsyncDisposable
{
    private const byte RecordSeparator = 0x1e;
    private readonly ClientWebSocket _socket = new();
    private readonly bool _messagePack;
    private int _nextId;

    private RawHubConnection(bool messagePack) => _messagePack = messagePack;

    public static Task<RawHubConnection> ConnectAsync(RoamingNode node, string userId, bool messagePack) => ConnectAsync(node.BaseAddress, userId, messagePack);

    /// <summary>A raw connection to the node at <paramref name="baseAddress"/> (one in a process of its own, say).</summary>
    public static async Task<RawHubConnection> ConnectAsync(Uri baseAddress, string userId, bool messagePack)
    {
        var token = await RoamingNode.IssueTokenAsync(baseAddress, userId);
        var connection = new RawHubConnection(messagePack);
        var uri = new UriBuilder(new Uri(baseAddress, RoamingProtocol.HubPath)) { Scheme = "ws", Query = $"access_token={token}" }.Uri;
        await connection._socket.ConnectAsync(uri, CancellationToken.None);
        var handshake = Encoding.UTF8.GetBytes($$"""{"protocol":"{{(messagePack ? "messagepack" : "json")}}","version":1}""" + "\u001e");
        await connection._socket.SendAsync(handshake, messagePack ? WebSocketMessageType.Binary : WebSocketMessageType.Text, true, CancellationToken.None);
        var answer = Encoding.UTF8.GetString(await connection.ReceiveFrameAsync());
        if (answer != "{}\u001e")
        {
            throw new InvalidOperationException($"Handshake failed: {answer}");
        }

        return connection;
    }

    /// <summary>Invokes a hub method and returns its completion as JSON: <c>{result}</c> or <c>{error}</c>.</summary>
    public Task<JsonObject> InvokeAsync(string method, object argument) => InvokeWithArgumentsAsync(method, [argument]);

    /// <summary>
    /// Invokes a hub method with exactly these arguments (none, or several; a null is sent as null) and returns its
    /// completion as JSON. A dictionary argument is sent as an object with exactly its keys.
    /// </summary>
    public async Task<JsonObject> InvokeWithArgumentsAsync(string method, IReadOnlyList<object?> arguments)
    {
        var id = (++_nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (_messagePack)
        {
            var body = new ArrayBufferWriter<byte>();
            var writer = new MessagePackWriter(body);
            writer.WriteArrayHeader(6);
            writer.Write(1); // Invocation
            writer.WriteMapHeader(0);
            writer.Write(id);
            writer.Write(method);
            writer.WriteArrayHeader(arguments.Count);
            foreach (var argument in arguments)
            {
                if (argument is null)
                {
                    writer.WriteNil();
                }
                else
                {
                    writer.WriteRaw(MessagePackSerializer.Serialize(argument.GetType(), argument, MessagePackSerializerOptions.Standard));
                }
            }

            writer.WriteArrayHeader(0);
            writer.Flush();
            await _socket.SendAsync(LengthPrefixed(body.WrittenMemory), WebSocketMessageType.Binary, true, CancellationToken.None);
        }
        else
        {
            var invocation = new JsonObject
            {
                ["type"] = 1,
                ["invocationId"] = id,
                ["target"] = method,
                ["arguments"] = new JsonArray([.. arguments.Select(argument => argument is null
                    ? null
                    : System.Text.Json.JsonSerializer.SerializeToNode(argument, argument.GetType(), System.Text.Json.JsonSerializerOptions.Web))]),
            };
            await _socket.SendAsync(Encoding.UTF8.GetBytes(invocation.ToJsonString() + "\u001e"), WebSocketMessageType.Text, true, CancellationToken.None);
        }

        while (true)
        {
            var frame = await ReceiveFrameAsync();
            var completion = _messagePack ? ReadMessagePackCompletion(frame, id) : ReadJsonCompletion(frame, id);
            if (completion is not null)
            {
                return completion;
            }
        }
    }

    /// <summary>Every frame until the server closes the connection, as text (MessagePack frames as hex); the WebSocket close is an empty one.</summary>
    public async Task<IReadOnlyList<string>> ReadUntilClosedAsync()
    {
        var frames = new List<string>();
        try
        {
            while (true)
            {
                var frame = await ReceiveFrameAsync();
                frames.Add(_messagePack ? Convert.ToHexString(frame) : Encoding.UTF8.GetString(frame));
                if (_socket.State != WebSocketState.Open)
                {
                    return frames;
                }
            }
        }
        catch (WebSocketException)
        {
            return frames;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            }
        }
        catch (WebSocketException)
        {
            // A test may leave the connection stuck or broken; the server has dropped it already.
        }

        _socket.Dispose();
    }

    private static JsonObject? ReadJsonCompletion(byte[] frame, string id)
    {
        foreach (var record in Encoding.UTF8.GetString(frame).Split('\u001e', StringSplitOptions.RemoveEmptyEntries))
        {
            var message = JsonNode.Parse(record)!.AsObject();
            if ((int)message["type"]! == 3 && (string?)message["invocationId"] == id)
            {
                return new JsonObject { ["result"] = message["result"]?.DeepClone(), ["error"] = message["error"]?.DeepClone() };
            }
        }

        return null;
    }

    private static JsonObject? ReadMessagePackCompletion(byte[] frame, string id)
    {
        var remaining = new ReadOnlyMemory<byte>(frame);
        while (remaining.Length > 0)
        {
            var (length, prefix) = ReadLength(remaining.Span);
            var reader = new MessagePackReader(remaining.Slice(prefix, length));
            remaining = remaining[(prefix + length)..];
            reader.ReadArrayHeader();
            if (reader.ReadInt32() != 3)
            {
                continue;
            }

            reader.Skip(); // headers
            if (reader.ReadString() != id)
            {
                continue;
            }

            var kind = reader.ReadInt32();
            if (kind == 1)
            {
                return new JsonObject { ["result"] = null, ["error"] = reader.ReadString() };
            }

            var rest = reader.ReadRaw();
            return new JsonObject { ["result"] = JsonNode.Parse(MessagePackSerializer.ConvertToJson(rest.ToArray())), ["error"] = null };
        }

        return null;
    }

    private static byte[] LengthPrefixed(ReadOnlyMemory<byte> body)
    {
        var prefix = new List<byte>();
        var length = body.Length;
        do
        {
            var b = (byte)(length & 0x7f);
            length >>= 7;
            prefix.Add(length > 0 ? (byte)(b | 0x80) : b);
        }
        while (length > 0);
        return [.. prefix, .. body.Span];
    }

    private static (int Length, int PrefixBytes) ReadLength(ReadOnlySpan<byte> data)
    {
        var length = 0;
        var i = 0;
        byte b;
        do
        {
            b = data[i];
            length |= (b & 0x7f) << (7 * i);
            i++;
        }
        while ((b & 0x80) != 0);
        return (length, i);
    }

    private async Task<byte[]> ReceiveFrameAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new ArrayBufferWriter<byte>();
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer.GetMemory(4096), timeout.Token);
            buffer.Advance(result.Count);
            if (result.EndOfMessage)
            {
                return buffer.WrittenSpan.ToArray();
            }
        }
    }
}
