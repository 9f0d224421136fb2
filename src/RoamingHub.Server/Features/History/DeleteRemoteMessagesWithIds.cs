using RoamingHub.Server.Features.Behaviors;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.History;

/// <summary>One-way deletion by id: 1–50 messages hidden from the caller only; unknown and already hidden ids are ignored.</summary>
internal sealed record DeleteRemoteMessagesWithIds(Caller Caller, DeleteRemoteMessagesWithIdsRequest Request) : ICommand<DeleteRoamingResult>, IIdempotentCommand<DeleteRemoteMessagesWithIdsRequest>;

internal sealed class DeleteRemoteMessagesWithIdsHandler(IMessageStore messages, IDeviceNotifier notifier, TimeProvider time)
    : ConversationChangeHandler<DeleteRemoteMessagesWithIds, DeleteRemoteMessagesWithIdsRequest, DeleteRoamingResult>(notifier, time)
{
    public const int MaxIds = 50;

    protected override async ValueTask<Change> ChangeAsync(
        Caller caller, ConversationRef conversation, DeleteRemoteMessagesWithIdsRequest request, long now, string? operationKey, CancellationToken cancellationToken)
    {
        if (request.MsgIds is not { Count: > 0 and <= MaxIds } requested)
        {
            throw RoamingException.InvalidArgument($"msgIds must hold 1 to {MaxIds} ids.");
        }

        var msgIds = requested.Select(id => HistoryRules.MsgId(id, "msgIds")).Distinct(StringComparer.Ordinal).ToList();
        var outcome = await messages.DeleteRemoteMessagesWithIdsAsync(caller.UserId, conversation, msgIds, caller.DeviceId, now, operationKey, cancellationToken).ConfigureAwait(false);
        return new(outcome.Event, new DeleteRoamingResult { MsgIds = outcome.MsgIds, Seq = outcome.Event?.Seq, Epoch = outcome.Event?.Epoch });
    }
}
