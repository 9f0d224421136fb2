using Mediator;
using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
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
    : ICommandHandler<DeleteRemoteConversation, DeleteConversationResult>
{
    public async ValueTask<DeleteConversationResult> Handle(DeleteRemoteConversation command, CancellationToken cancellationToken)
    {
        var (caller, request) = command;
        var conversation = ConversationRef.Parse(request.ChatType, request.ConversationId, caller.UserId);
        var deleteRoam = request.DeleteRoam ?? true;
        var evt = await conversations.DeleteRemoteConversationAsync(
            caller.UserId, conversation, deleteRoam, caller.DeviceId, time.UnixNow(), cancellationToken).ConfigureAwait(false);
        await notifier.SendToOtherDevicesAsync(caller, evt).ConfigureAwait(false);
        return new DeleteConversationResult { DeleteRoam = deleteRoam, Seq = evt.Seq };
    }
}
