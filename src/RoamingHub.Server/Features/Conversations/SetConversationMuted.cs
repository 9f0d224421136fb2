using RoamingHub.Server.Features.Behaviors;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Conversations;

/// <summary>
/// Mutes (do not disturb, until <c>mutedUntil</c> when given) or unmutes a conversation for the caller; the caller's
/// other devices get <c>CONVERSATION_MUTED</c> or <c>CONVERSATION_UNMUTED</c>. Muting a conversation not in the list
/// creates it, as pinning does. A call that changes nothing succeeds and emits nothing.
/// </summary>
internal sealed record SetConversationMuted(Caller Caller, SetConversationMutedRequest Request) : ICommand<MuteResult>, IIdempotentCommand<SetConversationMutedRequest>;

internal sealed class SetConversationMutedHandler(IConversationSettingsStore settings, IDeviceNotifier notifier, TimeProvider time)
    : ConversationChangeHandler<SetConversationMuted, SetConversationMutedRequest, MuteResult>(notifier, time)
{
    protected override async ValueTask<(MultiDeviceEvent?, MuteResult)> ChangeAsync(
        Caller caller, ConversationRef conversation, SetConversationMutedRequest request, long now, string? operationKey, CancellationToken cancellationToken)
    {
        if (request.MutedUntil is { } until && (!request.Muted || until <= now))
        {
            throw RoamingException.InvalidArgument(request.Muted
                ? "mutedUntil must be in the future (Unix ms); leave it out for a mute without an end."
                : "mutedUntil is for muting only; leave it out with muted false.");
        }

        var outcome = await settings.SetConversationMutedAsync(caller.UserId, conversation, request.Muted, request.MutedUntil, caller.DeviceId, now, operationKey, cancellationToken)
            .ConfigureAwait(false);
        return (outcome.Event, new MuteResult { Muted = outcome.Muted, MutedUntil = outcome.MutedUntil, Seq = outcome.Event?.Seq, Epoch = outcome.Event?.Epoch });
    }
}
