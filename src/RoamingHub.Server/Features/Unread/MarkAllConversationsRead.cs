using RoamingHub.Server.Features.Behaviors;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Unread;

/// <summary>
/// Reads every conversation up to its newest message that reached the caller; other devices get
/// <c>ALL_CONVERSATIONS_READ</c>, single-chat peers <c>onReadAck</c> with the time of the newest message read in their chat.
/// </summary>
internal sealed record MarkAllConversationsRead(Caller Caller, MarkAllConversationsReadRequest Request) : ICommand<MarkAllReadResult>, IIdempotentCommand<MarkAllConversationsReadRequest>;

internal sealed class MarkAllConversationsReadHandler(IConversationStore conversations, IDeviceNotifier notifier, TimeProvider time)
    : ICommandHandler<MarkAllConversationsRead, MarkAllReadResult>
{
    public async ValueTask<MarkAllReadResult> Handle(MarkAllConversationsRead command, CancellationToken cancellationToken)
    {
        var caller = command.Caller;
        var now = time.UnixNow();
        var outcome = await conversations.MarkAllConversationsReadAsync(caller.UserId, caller.DeviceId, now, command.OperationKey(), cancellationToken).ConfigureAwait(false);
        // The time logged, not this call's: a repeat answers the first call's.
        var readTimestamp = outcome.Event.ReadTimestamp ?? now;
        notifier.Deliver([
            Push.Event(outcome.Event, new PushTarget(caller.UserId, outcome.Event.Seq, outcome.Event.Epoch), caller.ConnectionId),
            .. outcome.PeerEntries.Select(peer => Push.ReadAck(
                new ReadAck { ConversationId = caller.UserId, ChatType = ChatTypes.SingleChat, ReadTimestamp = peer.Value.ReadTimestamp },
                new PushTarget(peer.Key, peer.Value.Entry.Seq, peer.Value.Entry.Epoch))),
        ]);
        return new MarkAllReadResult { ReadTimestamp = readTimestamp, Seq = outcome.Event.Seq, Epoch = outcome.Event.Epoch };
    }
}
