using System.Buffers;
using MessagePack;
using RoamingHub.Contracts;
using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage.Redis;

/// <summary>
/// The binary values the Redis store writes, encoded by hand with MessagePack so that they stay compact and need no
/// reflection on the hot path. Readers tolerate extra trailing fields, so a newer writer can add fields.
/// </summary>
internal static class RedisProtocol
{
    private static readonly MessagePackSerializerOptions EventOptions =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>
    /// A message, without its timestamp (that is its position's):
    /// [ msgId, chatType, from, to, type, body ]
    /// </summary>
    public static byte[] WriteMessage(StoredMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + message.Body.Length);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(6);
        writer.Write(message.MsgId);
        writer.Write(message.ChatType);
        writer.Write(message.From);
        writer.Write(message.To);
        writer.Write(message.Type);
        writer.Write(message.Body);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    public static StoredMessage ReadMessage(ReadOnlyMemory<byte> blob, long position)
    {
        var reader = new MessagePackReader(blob);
        var count = reader.ReadArrayHeader();
        if (count < 6)
        {
            throw new InvalidDataException($"A stored message has {count} fields; at least 6 expected.");
        }

        var message = new StoredMessage(
            MsgId: ReadString(ref reader),
            ChatType: ReadString(ref reader),
            From: ReadString(ref reader),
            To: ReadString(ref reader),
            Timestamp: MessagePosition.TimestampOf(position),
            Type: ReadString(ref reader),
            Body: ReadString(ref reader));
        for (var i = 6; i < count; i++)
        {
            reader.Skip();
        }

        return message;
    }

    /// <summary>
    /// A last-message entry of a user's conversation: the ASCII decimal position, a '|', then the message blob,
    /// so a script can compare positions without decoding the message.
    /// </summary>
    public static byte[] WritePositionedMessage(long position, byte[] messageBlob)
    {
        var prefix = System.Text.Encoding.ASCII.GetBytes(position.ToString(System.Globalization.CultureInfo.InvariantCulture) + "|");
        return [.. prefix, .. messageBlob];
    }

    public static StoredMessage ReadPositionedMessage(ReadOnlyMemory<byte> value)
    {
        var separator = value.Span.IndexOf((byte)'|');
        var position = ParseLong(value.Span[..separator]);
        return ReadMessage(value[(separator + 1)..], position);
    }

    /// <summary>A multi-device event without its seq: the wire object (string keys) as MessagePack.</summary>
    public static byte[] WriteEvent(MultiDeviceEvent template) => MessagePackSerializer.Serialize(template with { Seq = 0 }, EventOptions);

    /// <summary>An event-log entry as the scripts write it: the ASCII decimal seq, a '|', then the event.</summary>
    public static MultiDeviceEvent ReadLoggedEvent(ReadOnlyMemory<byte> value)
    {
        var separator = value.Span.IndexOf((byte)'|');
        var seq = ParseLong(value.Span[..separator]);
        return MessagePackSerializer.Deserialize<MultiDeviceEvent>(value[(separator + 1)..], EventOptions) with { Seq = seq };
    }

    private static long ParseLong(ReadOnlySpan<byte> ascii) =>
        System.Buffers.Text.Utf8Parser.TryParse(ascii, out long value, out var consumed) && consumed == ascii.Length
            ? value
            : throw new InvalidDataException("A stored number is malformed.");

    private static string ReadString(ref MessagePackReader reader) =>
        reader.ReadString() ?? throw new InvalidDataException("A stored message has a null field.");
}
