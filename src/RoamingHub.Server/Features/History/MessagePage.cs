using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using MessagePack;
using MessagePack.Formatters;

namespace RoamingHub.Server.Features.History;

/// <summary>
/// The reply of <c>FetchHistoryMessages</c>. On the wire it is exactly a <c>Page&lt;Message&gt;</c> (see
/// docs/protocol.md), in MessagePack and in JSON, but it is written from the messages' stored encodings: each field's
/// bytes are copied to the wire instead of being decoded into strings and encoded again, which was most of a page's
/// cost. Every message of a page belongs to one conversation, so <see cref="ConversationId"/> is the page's.
/// </summary>
[MessagePackFormatter(typeof(MessagePageFormatter))]
[JsonConverter(typeof(MessagePageJsonConverter))]
internal sealed record MessagePage(string ConversationId, IReadOnlyList<EncodedMessage> Messages, string? Cursor);

/// <summary>Writes a <see cref="MessagePage"/> as the MessagePack map of a <c>Page&lt;Message&gt;</c>.</summary>
internal sealed class MessagePageFormatter : IMessagePackFormatter<MessagePage>
{
    private static readonly byte[] Data = Str("data");
    private static readonly byte[] Cursor = Str("cursor");
    private static readonly byte[] MsgId = Str("msgId");
    private static readonly byte[] ConversationId = Str("conversationId");
    private static readonly byte[] ChatType = Str("chatType");
    private static readonly byte[] From = Str("from");
    private static readonly byte[] To = Str("to");
    private static readonly byte[] Timestamp = Str("timestamp");
    private static readonly byte[] Type = Str("type");
    private static readonly byte[] Body = Str("body");
    private static readonly byte[] Seq = Str("seq");
    private static readonly byte[] Epoch = Str("epoch");

    public void Serialize(ref MessagePackWriter writer, MessagePage value, MessagePackSerializerOptions options)
    {
        writer.WriteMapHeader(2);
        writer.WriteRaw(Data);
        writer.WriteArrayHeader(value.Messages.Count);
        var conversationId = Str(value.ConversationId);
        foreach (var message in value.Messages)
        {
            var fields = message.Fields;
            writer.WriteMapHeader(10);
            writer.WriteRaw(MsgId);
            writer.WriteRaw(fields.MsgId.Span);
            writer.WriteRaw(ConversationId);
            writer.WriteRaw(conversationId);
            writer.WriteRaw(ChatType);
            writer.WriteRaw(fields.ChatType.Span);
            writer.WriteRaw(From);
            writer.WriteRaw(fields.From.Span);
            writer.WriteRaw(To);
            writer.WriteRaw(fields.To.Span);
            writer.WriteRaw(Timestamp);
            writer.Write(message.Timestamp);
            writer.WriteRaw(Type);
            writer.WriteRaw(fields.Type.Span);
            writer.WriteRaw(Body);
            writer.WriteRaw(fields.Body.Span);
            // A stream position belongs to a push, not to history: the keys are there, as in every Message, but nil.
            writer.WriteRaw(Seq);
            writer.WriteNil();
            writer.WriteRaw(Epoch);
            writer.WriteNil();
        }

        writer.WriteRaw(Cursor);
        writer.Write(value.Cursor);
    }

    public MessagePage Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        throw new NotSupportedException("A history page is only written; clients read it as Page<Message>.");

    private static byte[] Str(string value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.Write(value);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary>Writes a <see cref="MessagePage"/> as the JSON object of a <c>Page&lt;Message&gt;</c> (camelCase names).</summary>
internal sealed class MessagePageJsonConverter : JsonConverter<MessagePage>
{
    public override void Write(Utf8JsonWriter writer, MessagePage value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("data"u8);
        foreach (var message in value.Messages)
        {
            var fields = message.Fields;
            writer.WriteStartObject();
            writer.WriteString("msgId"u8, EncodedFields.Utf8Of(fields.MsgId));
            writer.WriteString("conversationId"u8, value.ConversationId);
            writer.WriteString("chatType"u8, EncodedFields.Utf8Of(fields.ChatType));
            writer.WriteString("from"u8, EncodedFields.Utf8Of(fields.From));
            writer.WriteString("to"u8, EncodedFields.Utf8Of(fields.To));
            writer.WriteNumber("timestamp"u8, message.Timestamp);
            writer.WriteString("type"u8, EncodedFields.Utf8Of(fields.Type));
            writer.WriteString("body"u8, EncodedFields.Utf8Of(fields.Body));
            writer.WriteNull("seq"u8);
            writer.WriteNull("epoch"u8);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteString("cursor"u8, value.Cursor);
        writer.WriteEndObject();
    }

    public override MessagePage Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("A history page is only written; clients read it as Page<Message>.");
}
