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

    /// <summary>An event as <see cref="WriteEvent"/> wrote it, its seq 0: what a script answers it logged.</summary>
    public static MultiDeviceEvent ReadEvent(ReadOnlyMemory<byte> blob) => MessagePackSerializer.Deserialize<MultiDeviceEvent>(blob, EventOptions);

    /// <summary>
    /// A stream entry as <c>Scripts/lib/event_log.lua</c> writes it: <c>seq|time|E|event</c>, or
    /// <c>seq|time|M|member|msgId|position</c> for a message, which the caller reads back from its chat.
    /// </summary>
    public static LoggedEntry ReadStreamEntry(ReadOnlyMemory<byte> value)
    {
        var seqEnd = value.Span.IndexOf((byte)'|');
        var seq = ParseLong(value.Span[..seqEnd]);
        var timeEnd = seqEnd + 1 + value.Span[(seqEnd + 1)..].IndexOf((byte)'|');
        var kind = value.Span[timeEnd + 1];
        var rest = value[(timeEnd + 3)..];
        if (kind == (byte)'E')
        {
            return new LoggedEntry(seq, MessagePackSerializer.Deserialize<MultiDeviceEvent>(rest, EventOptions) with { Seq = seq }, null);
        }

        var parts = System.Text.Encoding.ASCII.GetString(rest.Span).Split('|');
        return parts.Length == 3 && kind == (byte)'M'
            ? new LoggedEntry(seq, null, new MessageEntry(ConversationRef.FromMember(parts[0]), parts[1], ParseLong(System.Text.Encoding.ASCII.GetBytes(parts[2]))))
            : throw new InvalidDataException("A stream entry is malformed.");
    }

    private static long ParseLong(ReadOnlySpan<byte> ascii) =>
        System.Buffers.Text.Utf8Parser.TryParse(ascii, out long value, out var consumed) && consumed == ascii.Length
            ? value
            : throw new InvalidDataException("A stored number is malformed.");
}

/// <summary>A stream entry as stored: an event (seq filled, epoch not), or a reference to a message.</summary>
internal sealed record LoggedEntry(long Seq, MultiDeviceEvent? Event, MessageEntry? Message);

/// <summary>A message entry's reference: the conversation as the stream's user sees it, the msgId and its position.</summary>
internal sealed record MessageEntry(ConversationRef Conversation, string MsgId, long Position);
