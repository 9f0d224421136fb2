using System.Buffers;
using MessagePack;

namespace RoamingHub.Server.Domain;

/// <summary>
/// A message in its stored encoding, with its position beside it. The encoding is a MessagePack array
/// <c>[ msgId, chatType, from, to, type, body ]</c> of strings (the timestamp is the position's); readers tolerate
/// extra trailing fields, so a newer writer can add some. The Redis store keeps messages this way, and a history page
/// carries them this way to the wire, where each field's bytes are copied rather than decoded and encoded again.
/// </summary>
internal readonly record struct EncodedMessage(ReadOnlyMemory<byte> Blob, long Position)
{
    private const int FieldCount = 6;

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

    public static EncodedMessage Of(StoredMessage message, long position) => new(Encode(message), position);

    public StoredMessage Decode()
    {
        var reader = new MessagePackReader(Blob);
        ReadHeader(ref reader);
        var message = new StoredMessage(
            MsgId: ReadString(ref reader),
            ChatType: ReadString(ref reader),
            From: ReadString(ref reader),
            To: ReadString(ref reader),
            Timestamp: Timestamp,
            Type: ReadString(ref reader),
            Body: ReadString(ref reader));
        return message;
    }

    /// <summary>Each field's MessagePack encoding (a str, header included), without decoding it.</summary>
    public EncodedFields Fields()
    {
        var reader = new MessagePackReader(Blob);
        ReadHeader(ref reader);
        return new EncodedFields(
            MsgId: NextField(ref reader),
            ChatType: NextField(ref reader),
            From: NextField(ref reader),
            To: NextField(ref reader),
            Type: NextField(ref reader),
            Body: NextField(ref reader));
    }

    private static void ReadHeader(ref MessagePackReader reader)
    {
        var count = reader.ReadArrayHeader();
        if (count < FieldCount)
        {
            throw new InvalidDataException($"A stored message has {count} fields; at least {FieldCount} expected.");
        }
    }

    private ReadOnlyMemory<byte> NextField(ref MessagePackReader reader)
    {
        if (reader.NextMessagePackType != MessagePackType.String)
        {
            throw new InvalidDataException("A stored message field is not a string.");
        }

        var start = (int)reader.Consumed;
        reader.Skip();
        return Blob[start..(int)reader.Consumed];
    }

    private static string ReadString(ref MessagePackReader reader) =>
        reader.ReadString() ?? throw new InvalidDataException("A stored message has a null field.");
}

/// <summary>The fields of an <see cref="EncodedMessage"/>, each as its MessagePack str encoding.</summary>
internal readonly record struct EncodedFields(
    ReadOnlyMemory<byte> MsgId,
    ReadOnlyMemory<byte> ChatType,
    ReadOnlyMemory<byte> From,
    ReadOnlyMemory<byte> To,
    ReadOnlyMemory<byte> Type,
    ReadOnlyMemory<byte> Body);
