using Mediator;
using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Features.Behaviors;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Conversations;

/// <summary>
/// Pins or unpins a conversation for the caller; the caller's other devices get <c>CONVERSATION_PINNED</c> or
/// <c>CONVERSATION_UNPINNED</c>. A call that changes nothing succeeds and emits nothing.
/// </summary>
internal sealed record PinConversation(Caller Caller, PinConversationRequest Request) : ICommand<PinResult>, IIdempotentCommand<PinConversationRequest>;

internal sealed class PinConversationHandler(IConversationStore conversations, IDeviceNotifier notifier, TimeProvider time)
    : ICommandHandler<PinConversation, PinResult>
{
    public async ValueTask<PinResult> Handle(PinConversation command, CancellationToken cancellationToken)
    {
        var (caller, request) = command;
        var conversation = ConversationRef.Parse(request.ChatType, request.ConversationId, caller.UserId);

        var now = time.UnixNow();
        var outcome = await conversations.PinConversationAsync(caller.UserId, conversation, request.IsPinned, caller.DeviceId, now, cancellationToken).ConfigureAwait(false);
        await notifier.SendToOtherDevicesAsync(caller, outcome.Event).ConfigureAwait(false);

        return new PinResult { IsPinned = outcome.IsPinned, PinnedTime = outcome.PinnedTime, Seq = outcome.Event?.Seq };
    }
}
