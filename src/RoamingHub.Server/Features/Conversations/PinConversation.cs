using RoamingHub.Server.Features.Behaviors;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Conversations;

/// <summary>
/// Pins or unpins a conversation for the caller; the caller's other devices get <c>CONVERSATION_PINNED</c> or
/// <c>CONVERSATION_UNPINNED</c>. A call that changes nothing succeeds and emits nothing.
/// </summary>
internal sealed record PinConversation(Caller Caller, PinConversationRequest Request) : ICommand<PinResult>, IIdempotentCommand<PinConversationRequest>;

internal sealed class PinConversationHandler(IConversationStore conversations, IDeviceNotifier notifier, TimeProvider time)
    : ConversationChangeHandler<PinConversation, PinConversationRequest, PinResult>(notifier, time)
{
    protected override async ValueTask<Change> ChangeAsync(
        Caller caller, ConversationRef conversation, PinConversationRequest request, long now, string? operationKey, CancellationToken cancellationToken)
    {
        var outcome = await conversations.PinConversationAsync(caller.UserId, conversation, request.IsPinned, caller.DeviceId, now, operationKey, cancellationToken).ConfigureAwait(false);
        return new(outcome.Event, new PinResult { IsPinned = outcome.IsPinned, PinnedTime = outcome.PinnedTime, Seq = outcome.Event?.Seq, Epoch = outcome.Event?.Epoch }, outcome.Published);
    }
}
