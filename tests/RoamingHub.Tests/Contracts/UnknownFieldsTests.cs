using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using MessagePack;
using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Hosting;

namespace RoamingHub.Tests.Contracts;

/// <summary>
/// The strict reading of contract objects reaches objects nested in them, in both serializers. No hub argument nests
/// one today; this keeps the rule whole for the day one does.
/// </summary>
public sealed class UnknownFieldsTests
{
    private const string Refusal = "Unknown field 'colour' in Message, whose fields are msgId, conversationId, chatType, from, to, timestamp, type, body, seq and epoch; see docs/protocol.md.";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { TypeInfoResolver = UnknownFields.RefusedBy(new DefaultJsonTypeInfoResolver()) };

    private static readonly MessagePackSerializerOptions MessagePack = UnknownFields.RefusedBy(MessagePackSerializerOptions.Standard);

    [Fact]
    public void A_nested_contract_object_with_an_unknown_field_is_refused_in_JSON_and_a_null_one_is_read()
    {
        var error = Assert.Throws<RoamingException>(() =>
            JsonSerializer.Deserialize<MultiDeviceEvent>("""{"seq":1,"message":{"msgId":"m1","colour":"red"}}""", Json));
        var read = JsonSerializer.Deserialize<MultiDeviceEvent>("""{"seq":1,"message":{"msgId":"m1","colour":null},"shade":null}""", Json);

        Assert.Equal((ErrorCodes.InvalidArgument, Refusal), (error.Code, error.Message));
        Assert.Equal("m1", read!.Message!.MsgId);
    }

    [Fact]
    public void A_nested_contract_object_with_an_unknown_field_is_refused_in_MessagePack_and_a_null_one_is_read()
    {
        static byte[] Event(object? colour) => MessagePackSerializer.Serialize(new Dictionary<string, object?>
        {
            ["seq"] = 1,
            ["message"] = new Dictionary<string, object?> { ["msgId"] = "m1", ["colour"] = colour },
        });

        var error = Assert.Throws<MessagePackSerializationException>(() => MessagePackSerializer.Deserialize<MultiDeviceEvent>(Event("red"), MessagePack));
        var read = MessagePackSerializer.Deserialize<MultiDeviceEvent>(Event(null), MessagePack);

        var refusal = Assert.IsType<RoamingException>(error.InnerException);
        Assert.Equal((ErrorCodes.InvalidArgument, Refusal), (refusal.Code, refusal.Message));
        Assert.Equal("m1", read.Message!.MsgId);
    }

    [Fact]
    public void Writing_a_contract_object_is_unchanged()
    {
        var message = new Message { MsgId = "m1", ConversationId = "bob", ChatType = ChatTypes.SingleChat, Body = "hi" };

        Assert.Equal(JsonSerializer.Serialize(message, JsonSerializerOptions.Web), JsonSerializer.Serialize(message, Json));
        Assert.Equal(MessagePackSerializer.Serialize(message), MessagePackSerializer.Serialize(message, MessagePack));
    }
}
