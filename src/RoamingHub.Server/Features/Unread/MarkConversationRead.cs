using RoamingHub.Server.Features.Behaviors;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Unread;

/// <summary>
/// Reads a conversation up to a time, but no further than its newest message (everything by default): what came after stays unread. The caller's other devices get
/// <c>CONVERSATION_READ</c>; in single chat the other participant's devices get <c>onReadAck</c>.
/// </summary>
internal sealed record MarkConversationRead(Caller Caller, MarkConversationReadRequest Request) : ICommand<MarkReadResult>, IIdempotentCommand<MarkConversationReadRequest>;

internal sealed class MarkConversationReadHandler(IConversationStore conversations, IDeviceNotifier notifier, TimeProvider time)
    : ConversationChangeHandler<MarkConversationRead, MarkConversationReadRequest, MarkReadResult>(notifier, time)
{
    protected override async ValueTask<Change> ChangeAsync(
        Caller caller, ConversationRef conversation, MarkConversationReadRequest request, long now, string? operationKey, CancellationToken cancellationToken)
    {
        // The store reads no further than the chat's newest message, so a time ahead (of this node's clock or of the
        // caller's) cannot keep messages that arrive later from counting as unread; no time means everything.
        var readTimestamp = request.Timestamp ?? MessagePosition.MaxTimestamp;
        if (readTimestamp < 0)
        {
            throw RoamingException.InvalidArgument("timestamp must not be negative.");
        }

        var outcome = await conversations.MarkConversationReadAsync(caller.UserId, conversation, readTimestamp, caller.DeviceId, now, operationKey, cancellationToken).ConfigureAwait(false);
        if (outcome.PeerEntry is { } peer)
        {
            Notifier.Deliver(Push.ReadAck(
                new ReadAck { ConversationId = caller.UserId, ChatType = ChatTypes.SingleChat, ReadTimestamp = outcome.Event?.ReadTimestamp ?? outcome.ReadTimestamp },
                new PushTarget(conversation.Id, peer.Seq, peer.Epoch)));
        }

        return new(outcome.Event, new MarkReadResult
        {
            ReadTimestamp = outcome.ReadTimestamp, UnreadCount = outcome.UnreadCount, Seq = outcome.Event?.Seq, Epoch = outcome.Event?.Epoch,
        });
    }
}
