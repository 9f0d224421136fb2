using System.Buffers;
using MessagePack;
using RoamingHub.Server.Features;

namespace RoamingHub.Server.Hubs.Delivery;

/// <summary>
/// The binary form of one <see cref="IDeviceNotifier.Deliver"/> call as it travels to the other nodes: every push once,
/// with each target's seq, so a group message costs one publish whatever the number of members.
/// </summary>
internal static class DeliveryProtocol
{
    private static readonly MessagePackSerializerOptions PayloadOptions =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>Writes a delivery message.</summary>
    public static byte[] Write(string originNodeId, IReadOnlyList<Push> pushes)
    {
        // Delivery message, a MessagePack array:
        // - the publishing node's id (string), so it can skip its own message
        // - the pushes, an array; each an array of:
        //   - the client method (string; it also names the payload's type)
        //   - the connection that made the change (string or nil): it gets no push
        //   - the payload before stamping: the contract object (string keys)
        //   - the targets, an array; each an array of user id (string), seq (int or nil), epoch (string or nil)
        var buffer = new ArrayBufferWriter<byte>(256);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(2);
        writer.Write(originNodeId);
        writer.WriteArrayHeader(pushes.Count);
        foreach (var push in pushes)
        {
            writer.WriteArrayHeader(4);
            writer.Write(push.Method);
            writer.Write(push.ExceptConnectionId);
            MessagePackSerializer.Serialize(push.Payload.GetType(), ref writer, push.Payload, PayloadOptions);
            writer.WriteArrayHeader(push.Targets.Count);
            foreach (var target in push.Targets)
            {
                writer.WriteArrayHeader(3);
                writer.Write(target.UserId);
                if (target.Seq is { } seq)
                {
                    writer.Write(seq);
                }
                else
                {
                    writer.WriteNil();
                }

                writer.Write(target.Epoch);
            }
        }

        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The start of a delivery message that a store script completes for one entry it appends
    /// (<c>Storage/Redis/Scripts/lib/delivery.lua</c>): the origin node and one push of <paramref name="method"/> that
    /// excepts no connection (only the origin holds the caller's connection, and it skips its own messages), up to the
    /// payload. The script appends the payload as it logs it, <see cref="WriteEntryTarget"/>, then the seq and epoch.
    /// </summary>
    public static byte[] WriteEntryHead(string originNodeId, string method)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(2);
        writer.Write(originNodeId);
        writer.WriteArrayHeader(1);
        writer.WriteArrayHeader(4);
        writer.Write(method);
        writer.WriteNil();
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The targets of a message <see cref="WriteEntryHead"/> starts: one, <paramref name="userId"/>, up to its seq.</summary>
    public static byte[] WriteEntryTarget(string userId)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(1);
        writer.WriteArrayHeader(3);
        writer.Write(userId);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Reads a delivery message, or returns null for one that <paramref name="ownNodeId"/> published (its pushes were
    /// delivered locally already). Fields beyond those written above are skipped, and pushes of a method this node
    /// does not know are dropped, so nodes of different versions can share a channel.
    /// </summary>
    public static IReadOnlyList<Push>? ReadUnlessFrom(ReadOnlyMemory<byte> message, string ownNodeId)
    {
        var reader = new MessagePackReader(message);
        var fields = reader.ReadArrayHeader();
        if (reader.ReadString() == ownNodeId)
        {
            return null;
        }

        var count = reader.ReadArrayHeader();
        var pushes = new List<Push>(count);
        for (var i = 0; i < count; i++)
        {
            if (ReadPush(ref reader) is { } push)
            {
                pushes.Add(push);
            }
        }

        SkipRest(ref reader, fields - 2);
        return pushes;
    }

    private static Push? ReadPush(ref MessagePackReader reader)
    {
        var fields = reader.ReadArrayHeader();
        var method = reader.ReadString() ?? string.Empty;
        var except = reader.ReadString();
        object? payload = method switch
        {
            HubEvents.OnMessage => MessagePackSerializer.Deserialize<Message>(ref reader, PayloadOptions),
            HubEvents.OnMultiDeviceEvent => MessagePackSerializer.Deserialize<MultiDeviceEvent>(ref reader, PayloadOptions),
            HubEvents.OnReadAck => MessagePackSerializer.Deserialize<ReadAck>(ref reader, PayloadOptions),
            _ => null,
        };
        if (payload is null)
        {
            reader.Skip();
        }

        var count = reader.ReadArrayHeader();
        var targets = new PushTarget[count];
        for (var i = 0; i < count; i++)
        {
            var targetFields = reader.ReadArrayHeader();
            var userId = reader.ReadString() ?? string.Empty;
            long? seq = reader.TryReadNil() ? null : reader.ReadInt64();
            var epoch = reader.ReadString();
            SkipRest(ref reader, targetFields - 3);
            targets[i] = new PushTarget(userId, seq, epoch);
        }

        SkipRest(ref reader, fields - 4);
        return payload is null ? null : new Push(method, payload, targets, except);
    }

    private static void SkipRest(ref MessagePackReader reader, int fields)
    {
        for (var i = 0; i < fields; i++)
        {
            reader.Skip();
        }
    }
}
