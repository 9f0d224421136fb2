using System.Buffers;
using System.Text;
using System.Text.Unicode;
using MessagePack;

namespace RoamingHub.Server.Domain;

/// <summary>
/// A message in its stored encoding, with its position beside it. The encoding is a MessagePack array
/// <c>[ msgId, chatType, from, to, type, body ]</c> of strings (the timestamp is the position's); readers tolerate
/// extra trailing fields, so a newer writer can add some. The Redis store keeps messages this way, and a history page
/// carries them this way to the wire, where each field's bytes are copied rather than decoded and encoded again.
/// </summary>
/// <remarks>
/// <see cref="Read"/> checks the whole encoding (six UTF-8 strings) where the store reads it, so a damaged entry
/// fails the call with a coded error there, not halfway through writing the reply, and never reaches a client.
/// </remarks>
internal readonly record struct EncodedMessage
{
    private const int FieldCount = 6;

    private EncodedMessage(long position, EncodedFields fields)
    {
        Position = position;
        Fields = fields;
    }

    public long Position { get; }

    /// <summary>Each field's MessagePack encoding (a str, header included), pointing into the blob.</summary>
    public EncodedFields Fields { get; }

    public long Timestamp => MessagePosition.TimestampOf(Position);

    /// <summary>The stored encoding of <paramref name="message"/> (its timestamp is not part of it).</summary>
    public static byte[] Encode(StoredMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + message.Body.Length);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(FieldCount);
        writer.Write(message.MsgId);
        writer.Write(message.ChatType);
        writer.Write(message.From);
        writer.Write(message.To);
        writer.Write(message.Type);
        writer.Write(message.Body);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    public static EncodedMessage Of(StoredMessage message, long position) => Read(Encode(message), position);

    /// <summary>Splits a stored encoding into its fields; throws <see cref="InvalidDataException"/> when it is not one.</summary>
    public static EncodedMessage Read(ReadOnlyMemory<byte> blob, long position)
    {
        var reader = new MessagePackReader(blob);
        var count = reader.ReadArrayHeader();
        if (count < FieldCount)
        {
            throw new InvalidDataException($"A stored message has {count} fields; at least {FieldCount} expected.");
        }

        return new EncodedMessage(position, new EncodedFields(
            MsgId: NextField(ref reader, blob),
            ChatType: NextField(ref reader, blob),
            From: NextField(ref reader, blob),
            To: NextField(ref reader, blob),
            Type: NextField(ref reader, blob),
            Body: NextField(ref reader, blob)));
    }

    public StoredMessage Decode() => new(
        MsgId: EncodedFields.Text(Fields.MsgId),
        ChatType: EncodedFields.Text(Fields.ChatType),
        From: EncodedFields.Text(Fields.From),
        To: EncodedFields.Text(Fields.To),
        Timestamp: Timestamp,
        Type: EncodedFields.Text(Fields.Type),
        Body: EncodedFields.Text(Fields.Body));

    private static ReadOnlyMemory<byte> NextField(ref MessagePackReader reader, ReadOnlyMemory<byte> blob)
    {
        var start = (int)reader.Consumed;
        if (reader.NextMessagePackType != MessagePackType.String || !reader.TryReadStringSpan(out var utf8) || !Utf8.IsValid(utf8))
        {
            throw new InvalidDataException("A stored message field is not a UTF-8 string.");
        }

        return blob[start..(int)reader.Consumed];
    }
}

/// <summary>The fields of an <see cref="EncodedMessage"/>, each as its MessagePack str encoding.</summary>
internal readonly record struct EncodedFields(
    ReadOnlyMemory<byte> MsgId,
    ReadOnlyMemory<byte> ChatType,
    ReadOnlyMemory<byte> From,
    ReadOnlyMemory<byte> To,
    ReadOnlyMemory<byte> Type,
    ReadOnlyMemory<byte> Body)
{
    /// <summary>The UTF-8 bytes of a field (its str encoding without the header).</summary>
    public static ReadOnlySpan<byte> Utf8Of(ReadOnlyMemory<byte> field)
    {
        var reader = new MessagePackReader(field);
        return reader.TryReadStringSpan(out var utf8) ? utf8 : throw new InvalidDataException("A stored message field is not a string.");
    }

    public static string Text(ReadOnlyMemory<byte> field) => Encoding.UTF8.GetString(Utf8Of(field));
}
