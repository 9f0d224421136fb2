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
    private const long MaxMutedUntil = (1L << 53) - 1;

    protected override async ValueTask<Change> ChangeAsync(
        Caller caller, ConversationRef conversation, SetConversationMutedRequest request, long now, string? operationKey, CancellationToken cancellationToken)
    {
        // Whether mutedUntil is still ahead is the store's check, made after it answers a kept reply: a retry whose
        // first attempt ran gets that reply even once the time has passed.
        if (request.MutedUntil is not null && !request.Muted)
        {
            throw RoamingException.InvalidArgument("mutedUntil is for muting only; leave it out with muted false.");
        }

        // Beyond 2^53 - 1 a time no longer survives a JavaScript client or Redis's doubles exactly.
        if (request.MutedUntil > MaxMutedUntil)
        {
            throw RoamingException.InvalidArgument($"mutedUntil must be at most {MaxMutedUntil} (Unix ms).");
        }

        var outcome = await settings.SetConversationMutedAsync(caller.UserId, conversation, request.Muted, request.MutedUntil, caller.DeviceId, now, operationKey, cancellationToken)
            .ConfigureAwait(false);
        return new(outcome.Event, new MuteResult { Muted = outcome.Muted, MutedUntil = outcome.MutedUntil, Seq = outcome.Event?.Seq, Epoch = outcome.Event?.Epoch });
    }
}
