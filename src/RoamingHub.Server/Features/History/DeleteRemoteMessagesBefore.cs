using Mediator;
using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Features.Behaviors;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.History;

/// <summary>
/// One-way deletion by time: from now on the caller cannot fetch any message of the conversation at or before
/// <c>timestamp</c>; the other participant still can. A per-user watermark, O(1), never moving backwards.
/// </summary>
internal sealed record DeleteRemoteMessagesBefore(Caller Caller, DeleteRemoteMessagesBeforeRequest Request) : ICommand<DeleteRoamingResult>, IIdempotentCommand<DeleteRemoteMessagesBeforeRequest>;

internal sealed class DeleteRemoteMessagesBeforeHandler(IMessageStore messages, IDeviceNotifier notifier, TimeProvider time)
    : ICommandHandler<DeleteRemoteMessagesBefore, DeleteRoamingResult>
{
    public async ValueTask<DeleteRoamingResult> Handle(DeleteRemoteMessagesBefore command, CancellationToken cancellationToken)
    {
        var (caller, request) = command;
        var conversation = ConversationRef.Parse(request.ChatType, request.ConversationId, caller.UserId);
        if (request.Timestamp < 0)
        {
            throw RoamingException.InvalidArgument("timestamp must not be negative.");
        }

        var outcome = await messages.DeleteRemoteMessagesBeforeAsync(
            caller.UserId, conversation, request.Timestamp, caller.DeviceId, time.UnixNow(), cancellationToken).ConfigureAwait(false);
        await notifier.SendToOtherDevicesAsync(caller, outcome.Event).ConfigureAwait(false);

        return new DeleteRoamingResult { BeforeTimestamp = outcome.BeforeTimestamp, Seq = outcome.Event?.Seq };
    }
}
