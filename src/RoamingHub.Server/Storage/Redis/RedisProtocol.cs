using MessagePack;
using RoamingHub.Contracts;
using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage.Redis;

/// <summary>
/// The binary values the Redis store writes around a message's own encoding (<see cref="EncodedMessage"/>): entries
/// that carry a position beside a message, and logged events.
/// </summary>
internal static class RedisProtocol
{
    private static readonly MessagePackSerializerOptions EventOptions =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

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
        return EncodedMessage.Read(value[(separator + 1)..], position).Decode();
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
}
