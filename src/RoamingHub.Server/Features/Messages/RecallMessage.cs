using RoamingHub.Server.Features.Behaviors;
using RoamingHub.Server.Features.History;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Messages;

/// <summary>
/// The sender takes back one of their messages within <c>Roaming:RecallWindow</c>: it leaves history for everyone, stops
/// being anyone's last message and counting unread, and every device of every participant (the sender's other devices
/// included, every member in a group) gets <c>MESSAGE_RECALLED</c>. Recalling it again changes and pushes nothing.
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

        // Pushed to the participants whose entry this call appended: a repeat whose first attempt appended an entry
        // pushed it then. In a group every member's entry is the same event, so one push carries them all; in single
        // chat each participant names the conversation by the other, so each gets their own.
        var appended = recalled.Entries.Where(entry => entry.Appended).ToList();
        if (appended.Count > 0)
        {
            IReadOnlyList<Push> pushes = conversation.IsGroup
                ? [new Push(HubEvents.OnMultiDeviceEvent, appended[0].Event, [.. appended.Select(Target)], caller.ConnectionId)]
                : [.. appended.Select(entry => Push.Event(entry.Event, Target(entry), caller.ConnectionId))];
            notifier.Deliver(pushes);
        }

        var own = recalled.Entries.FirstOrDefault(entry => entry.UserId == caller.UserId)?.Event;
        return new RecallMessageResult { MsgId = msgId, Seq = own?.Seq, Epoch = own?.Epoch };
    }

    private static PushTarget Target(RecallEntry entry) => new(entry.UserId, entry.Event.Seq, entry.Event.Epoch);
}
