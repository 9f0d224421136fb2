using RoamingHub.Contracts;
using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage;

/// <summary>
/// The events both stores log, built in one place so the in-memory and Redis stores cannot drift apart in what a
/// device is told; the store fills in the seq when it appends one.
/// </summary>
internal static class EventTemplate
{
    /// <summary>An event about <paramref name="conversation"/> without its seq, which the store assigns when it logs it.</summary>
    public static MultiDeviceEvent For(string operation, ConversationRef conversation, string deviceId, long now) => new()
    {
        Operation = operation,
        ConversationId = conversation.Id,
        ChatType = conversation.ChatType,
        Timestamp = now,
        FromDeviceId = deviceId,
    };

    /// <summary>
    /// The <c>PEER_READ</c> entry of the other participant's stream when <paramref name="reader"/> read a single chat
    /// up to <paramref name="readTimestamp"/>; no device id, since the reader's devices are not the peer's business.
    /// </summary>
    public static MultiDeviceEvent PeerRead(string reader, long readTimestamp, long now) => new()
    {
        Operation = MultiDeviceOperations.PeerRead,
        ConversationId = reader,
        ChatType = ChatTypes.SingleChat,
        Timestamp = now,
        ReadTimestamp = readTimestamp,
    };

    /// <summary>
    /// The <c>MESSAGE_RECALLED</c> entry of a participant who sees the chat as <paramref name="conversation"/>: the same
    /// for every participant but the conversation id, the recalling device named in each.
    /// </summary>
    public static MultiDeviceEvent Recalled(ConversationRef conversation, string msgId, string deviceId, long now) =>
        For(MultiDeviceOperations.MessageRecalled, conversation, deviceId, now) with { MsgId = msgId };
}
