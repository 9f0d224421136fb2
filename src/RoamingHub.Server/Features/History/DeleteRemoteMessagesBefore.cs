using RoamingHub.Server.Features.Behaviors;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.History;

/// <summary>
/// One-way deletion by time: from now on the caller cannot fetch any message of the conversation at or before
/// <c>timestamp</c> (no further than its newest message); the other participant still can. A per-user watermark, O(1), never moving backwards.
/// </summary>
internal sealed record DeleteRemoteMessagesBefore(Caller Caller, DeleteRemoteMessagesBeforeRequest Request) : ICommand<DeleteRoamingResult>, IIdempotentCommand<DeleteRemoteMessagesBeforeRequest>;

internal sealed class DeleteRemoteMessagesBeforeHandler(IMessageStore messages, IDeviceNotifier notifier, TimeProvider time)
    : ConversationChangeHandler<DeleteRemoteMessagesBefore, DeleteRemoteMessagesBeforeRequest, DeleteRoamingResult>(notifier, time)
{
    protected override async ValueTask<Change> ChangeAsync(
        Caller caller, ConversationRef conversation, DeleteRemoteMessagesBeforeRequest request, long now, string? operationKey, CancellationToken cancellationToken)
    {
        if (request.Timestamp < 0)
        {
            throw RoamingException.InvalidArgument("timestamp must not be negative.");
        }

        // The store raises the watermark no further than the chat's newest message: a time ahead (of this node's clock
        // or the caller's) cannot hide messages that arrive later, which would count as unread and come back when the
        // watermark expires.
        var outcome = await messages.DeleteRemoteMessagesBeforeAsync(caller.UserId, conversation, request.Timestamp, caller.DeviceId, now, operationKey, cancellationToken).ConfigureAwait(false);
        return new(outcome.Event, new DeleteRoamingResult { BeforeTimestamp = outcome.BeforeTimestamp, Seq = outcome.Event?.Seq, Epoch = outcome.Event?.Epoch });
    }
}
