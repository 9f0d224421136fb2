using RoamingHub.Server.Features.Behaviors;
using RoamingHub.Server.Features.History;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Messages;

/// <summary>
/// The sender takes back one of their messages within <c>Roaming:RecallWindow</c>: it leaves history for everyone, stops
/// being anyone's last message and counting unread, and every device of every participant (the sender's other devices
/// included, every member in a group) gets <c>MESSAGE_RECALLED</c>. Recalling it again appends nothing and pushes the
/// same entries again, which devices that have them drop.
/// </summary>
internal sealed record RecallMessage(Caller Caller, RecallMessageRequest Request) : ICommand<RecallMessageResult>, IIdempotentCommand<RecallMessageRequest>;

internal sealed class RecallMessageHandler(IMessageStore messages, IDeviceNotifier notifier, TimeProvider time)
    : ICommandHandler<RecallMessage, RecallMessageResult>
{
    public async ValueTask<RecallMessageResult> Handle(RecallMessage command, CancellationToken cancellationToken)
    {
        var (caller, request) = command;
        var conversation = ConversationRef.Parse(request.ChatType, request.ConversationId, caller.UserId);
        var msgId = HistoryRules.MsgId(request.MsgId, "msgId");
        var recalled = await messages.RecallMessageAsync(caller.UserId, conversation, msgId, caller.DeviceId, time.UnixNow(), cancellationToken).ConfigureAwait(false);

        // Every entry is pushed, a repeat's too: the attempt that appended it may have stopped before its push, and a
        // device that has it drops it by its seq. The entries of the steps that succeeded are pushed even when others
        // failed. In a group every member's entry is the same event, so one push carries them all; in single chat each
        // participant names the conversation by the other, so each gets their own.
        var entries = recalled.Entries;
        if (entries.Count > 0)
        {
            IReadOnlyList<Push> pushes = conversation.IsGroup
                ? [new Push(HubEvents.OnMultiDeviceEvent, entries[0].Event, [.. entries.Select(Target)], caller.ConnectionId)]
                : [.. entries.Select(entry => Push.Event(entry.Event, Target(entry), caller.ConnectionId))];
            notifier.Deliver(pushes);
        }

        if (recalled.Failure is { } failure)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        var own = recalled.Entries.FirstOrDefault(entry => entry.UserId == caller.UserId)?.Event;
        return new RecallMessageResult { MsgId = msgId, Seq = own?.Seq, Epoch = own?.Epoch };
    }

    private static PushTarget Target(RecallEntry entry) => new(entry.UserId, entry.Event.Seq, entry.Event.Epoch);
}
