using Mediator;
using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Features.Behaviors;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.History;

/// <summary>One-way deletion by id: 1–50 messages hidden from the caller only; unknown and already hidden ids are ignored.</summary>
internal sealed record DeleteRemoteMessagesWithIds(Caller Caller, DeleteRemoteMessagesWithIdsRequest Request) : ICommand<DeleteRoamingResult>, IIdempotentCommand<DeleteRemoteMessagesWithIdsRequest>;

internal sealed class DeleteRemoteMessagesWithIdsHandler(IMessageStore messages, IDeviceNotifier notifier, TimeProvider time)
    : ICommandHandler<DeleteRemoteMessagesWithIds, DeleteRoamingResult>
{
    public const int MaxIds = 50;

    public async ValueTask<DeleteRoamingResult> Handle(DeleteRemoteMessagesWithIds command, CancellationToken cancellationToken)
    {
        var (caller, request) = command;
        var conversation = ConversationRef.Parse(request.ChatType, request.ConversationId, caller.UserId);
        if (request.MsgIds is not { Count: > 0 and <= MaxIds } requested)
        {
            throw RoamingException.InvalidArgument($"msgIds must hold 1 to {MaxIds} ids.");
        }

        var msgIds = requested.Select(id => HistoryRules.MsgId(id, "msgIds")).Distinct(StringComparer.Ordinal).ToList();
        var outcome = await messages.DeleteRemoteMessagesWithIdsAsync(
            caller.UserId, conversation, msgIds, caller.DeviceId, time.UnixNow(), cancellationToken).ConfigureAwait(false);
        await notifier.SendToOtherDevicesAsync(caller, outcome.Event).ConfigureAwait(false);

        return new DeleteRoamingResult { MsgIds = outcome.MsgIds, Seq = outcome.Event?.Seq };
    }
}
