using RoamingHub.Server.Features.Behaviors;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.History;

/// <summary>
/// One-way deletion by time: from now on the caller cannot fetch any message of the conversation at or before
/// <c>timestamp</c>; the other participant still can. A per-user watermark, O(1), never moving backwards.
/// </summary>
internal sealed record DeleteRemoteMessagesBefore(Caller Caller, DeleteRemoteMessagesBeforeRequest Request) : ICommand<DeleteRoamingResult>, IIdempotentCommand<DeleteRemoteMessagesBeforeRequest>;

internal sealed class DeleteRemoteMessagesBeforeHandler(IMessageStore messages, IDeviceNotifier notifier, TimeProvider time)
    : ConversationChangeHandler<DeleteRemoteMessagesBefore, DeleteRemoteMessagesBeforeRequest, DeleteRoamingResult>(notifier, time)
{
    protected override async ValueTask<(MultiDeviceEvent?, DeleteRoamingResult)> ChangeAsync(
        Caller caller, ConversationRef conversation, DeleteRemoteMessagesBeforeRequest request, long now, string? operationKey, CancellationToken cancellationToken)
    {
        if (request.Timestamp < 0)
        {
            throw RoamingException.InvalidArgument("timestamp must not be negative.");
        }

        // A watermark ahead of now would hide messages that arrive later while they still count as unread, and they
        // would come back when the watermark expires: a future time counts as now, as in MarkConversationRead.
        var before = Math.Min(request.Timestamp, now);
        var outcome = await messages.DeleteRemoteMessagesBeforeAsync(caller.UserId, conversation, before, caller.DeviceId, now, operationKey, cancellationToken).ConfigureAwait(false);
        return (outcome.Event, new DeleteRoamingResult { BeforeTimestamp = outcome.BeforeTimestamp, Seq = outcome.Event?.Seq, Epoch = outcome.Event?.Epoch });
    }
}
