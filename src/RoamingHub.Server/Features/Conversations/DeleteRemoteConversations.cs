using RoamingHub.Server.Features.Behaviors;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Conversations;

/// <summary>
/// Deletes 1–50 conversations at once, each exactly as <see cref="DeleteRemoteConversation"/> does it: its own atomic
/// store steps, its own <c>CONVERSATION_DELETED</c> entry and seq. Conversations not in the caller's list are skipped.
/// </summary>
/// <remarks>
/// The deletions are separate steps, so a call can fail partway; what it deleted stays deleted. With a
/// <c>clientOpId</c> each deletion runs as an operation of its own (the batch's key and the conversation), whose store
/// step keeps its outcome in the same atomic step as the deletion: a retry with the same <c>clientOpId</c> gets the
/// kept outcome of each conversation the failed attempt deleted (the same seq, pushed again, which devices drop) and
/// deletes the rest, so it answers the whole list. Without one, a retry skips what is gone and answers the rest.
/// A group the caller has left is deleted from the list with its history left alone (its event says
/// <c>deleteRoam</c> false), so one such group never fails the batch.
/// </remarks>
internal sealed record DeleteRemoteConversations(Caller Caller, DeleteRemoteConversationsRequest Request)
    : ICommand<DeleteConversationsResult>, IIdempotentCommand<DeleteRemoteConversationsRequest>;

internal sealed class DeleteRemoteConversationsHandler(IConversationStore conversations, IDeviceNotifier notifier, TimeProvider time)
    : ICommandHandler<DeleteRemoteConversations, DeleteConversationsResult>
{
    public const int MaxConversations = 50;

    public async ValueTask<DeleteConversationsResult> Handle(DeleteRemoteConversations command, CancellationToken cancellationToken)
    {
        var (caller, request) = command;
        if (request.Conversations is not { Count: > 0 and <= MaxConversations } named)
        {
            throw RoamingException.InvalidArgument($"conversations must hold 1 to {MaxConversations} conversations.");
        }

        // Every entry is checked before anything is deleted, so bad input deletes nothing; a repeated one counts once.
        var targets = named
            .Select(target => target is null
                ? throw RoamingException.InvalidArgument("conversations must not hold null.")
                : ConversationRef.Parse(target.ChatType, target.ConversationId, caller.UserId))
            .Distinct().ToList();
        var deleteRoam = request.DeleteRoam ?? true;
        var operationKey = command.OperationKey();
        var now = time.UnixNow();
        var deleted = new List<DeletedConversation>(targets.Count);
        var pushes = new List<Push>(targets.Count);
        try
        {
            foreach (var conversation in targets)
            {
                var itemKey = operationKey is null ? null : $"{operationKey}/{conversation.Member}";
                MultiDeviceEvent change;
                try
                {
                    change = await conversations.DeleteRemoteConversationAsync(caller.UserId, conversation, deleteRoam, caller.DeviceId, now, itemKey, cancellationToken)
                        .ConfigureAwait(false);
                }
                catch (RoamingException missing) when (missing.Code == ErrorCodes.NotFound)
                {
                    continue;
                }
                catch (RoamingException refused) when (refused.Code == ErrorCodes.Forbidden && deleteRoam)
                {
                    // A group the caller is no longer in: its history cannot be hidden (the refusal wrote nothing), but
                    // the entry can still leave the list. Refusing would fail the batch halfway, and every retry with the
                    // same clientOpId with it; its event says deleteRoam false, as it hid nothing.
                    if (await DeleteWithoutHidingAsync(caller, conversation, now, itemKey, cancellationToken).ConfigureAwait(false) is not { } kept)
                    {
                        continue;
                    }

                    change = kept;
                }

                deleted.Add(new DeletedConversation { ConversationId = conversation.Id, ChatType = conversation.ChatType, Seq = change.Seq, Epoch = change.Epoch });
                pushes.Add(Push.Event(change, new PushTarget(caller.UserId, change.Seq, change.Epoch), caller.ConnectionId));
            }
        }
        finally
        {
            // What was deleted reaches the other devices even when a later deletion failed: it stays deleted.
            if (pushes.Count > 0)
            {
                notifier.Deliver(pushes);
            }
        }

        return new DeleteConversationsResult { Deleted = deleted };
    }

    /// <summary>The deletion with the history left alone; null when the conversation is not in the list.</summary>
    private async ValueTask<MultiDeviceEvent?> DeleteWithoutHidingAsync(Caller caller, ConversationRef conversation, long now, string? operationKey, CancellationToken cancellationToken)
    {
        try
        {
            return await conversations.DeleteRemoteConversationAsync(caller.UserId, conversation, deleteRoam: false, caller.DeviceId, now, operationKey, cancellationToken).ConfigureAwait(false);
        }
        catch (RoamingException missing) when (missing.Code == ErrorCodes.NotFound)
        {
            return null;
        }
    }
}
