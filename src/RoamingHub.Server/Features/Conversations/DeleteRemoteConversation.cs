using RoamingHub.Server.Features.Behaviors;
using RoamingHub.Server.Features.History;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Conversations;

/// <summary>
/// Removes a conversation from the caller's list and pins; with <c>deleteRoam</c> (the default) also hides its
/// history up to now. A later message brings the conversation back with only the new messages visible.
/// </summary>
internal sealed record DeleteRemoteConversation(Caller Caller, DeleteRemoteConversationRequest Request) : ICommand<DeleteConversationResult>, IIdempotentCommand<DeleteRemoteConversationRequest>;

internal sealed class DeleteRemoteConversationHandler(IConversationStore conversations, IDeviceNotifier notifier, TimeProvider time)
    : ConversationChangeHandler<DeleteRemoteConversation, DeleteRemoteConversationRequest, DeleteConversationResult>(notifier, time)
{
    protected override async ValueTask<Change> ChangeAsync(
        Caller caller, ConversationRef conversation, DeleteRemoteConversationRequest request, long now, string? operationKey, CancellationToken cancellationToken)
    {
        var deleteRoam = request.DeleteRoam ?? true;
        var change = await conversations.DeleteRemoteConversationAsync(caller.UserId, conversation, deleteRoam, caller.DeviceId, now, operationKey, cancellationToken).ConfigureAwait(false);
        return new(change, new DeleteConversationResult { DeleteRoam = deleteRoam, Seq = change.Seq, Epoch = change.Epoch });
    }
}
