using RoamingHub.Server.Features.Behaviors;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Conversations;

/// <summary>
/// Adds and removes the caller's marks (labels, 0–19) on a conversation; the caller's other devices get
/// <c>CONVERSATION_MARKS_UPDATED</c> with the new marks. A call that changes nothing succeeds and emits nothing.
/// </summary>
internal sealed record SetConversationMarks(Caller Caller, SetConversationMarksRequest Request) : ICommand<MarksResult>, IIdempotentCommand<SetConversationMarksRequest>;

internal sealed class SetConversationMarksHandler(IConversationSettingsStore settings, IDeviceNotifier notifier, TimeProvider time)
    : ConversationChangeHandler<SetConversationMarks, SetConversationMarksRequest, MarksResult>(notifier, time)
{
    protected override async ValueTask<Change> ChangeAsync(
        Caller caller, ConversationRef conversation, SetConversationMarksRequest request, long now, string? operationKey, CancellationToken cancellationToken)
    {
        var add = ConversationMarkRules.Bits(request.Add, "add");
        var remove = ConversationMarkRules.Bits(request.Remove, "remove");
        var outcome = await settings.SetConversationMarksAsync(caller.UserId, conversation, add, remove, caller.DeviceId, now, operationKey, cancellationToken)
            .ConfigureAwait(false);
        return new(outcome.Event, new MarksResult { Marks = MarkBits.ToList(outcome.Marks), Seq = outcome.Event?.Seq, Epoch = outcome.Event?.Epoch });
    }
}
