using RoamingHub.Server.Features.Behaviors;

namespace RoamingHub.Server.Features;

/// <summary>
/// The skeleton every change to one of the caller's conversations shares: parse the conversation, make the change
/// now, send its event (when it made one) to the caller's other devices, and answer the caller, who learns the
/// change's <c>seq</c> from the result rather than from a push.
/// </summary>
internal abstract class ConversationChangeHandler<TCommand, TRequest, TResult>(IDeviceNotifier notifier, TimeProvider time)
    : ICommandHandler<TCommand, TResult>
    where TCommand : IIdempotentCommand<TRequest>, ICommand<TResult>
    where TRequest : IConversationRequest
{
    protected IDeviceNotifier Notifier => notifier;

    public async ValueTask<TResult> Handle(TCommand command, CancellationToken cancellationToken)
    {
        var caller = command.Caller;
        var conversation = ConversationRef.Parse(command.Request.ChatType, command.Request.ConversationId, caller.UserId);
        var (change, result, published) = await ChangeAsync(caller, conversation, command.Request, time.UnixNow(), command.OperationKey(), cancellationToken).ConfigureAwait(false);
        if (change is not null)
        {
            var push = Push.Event(change, new PushTarget(caller.UserId, change.Seq, change.Epoch), caller.ConnectionId);
            notifier.Deliver(published ? push with { PublishedByStore = true } : push);
        }

        return result;
    }

    /// <summary>
    /// What <see cref="ChangeAsync"/> answers: the change's event (null when nothing changed), the caller's result, and
    /// whether this call's store step published the event's push to the other nodes already
    /// (<see cref="Push.PublishedByStore"/>; false for the stores and steps that never do).
    /// </summary>
    protected readonly record struct Change(MultiDeviceEvent? Event, TResult Result, bool Published = false);

    /// <summary>
    /// Validates the request and stores the change, passing <paramref name="operationKey"/> so the store keeps its
    /// outcome; answers its event (null when nothing changed) and the caller's result, built from what the store
    /// answered, so a repeat answers what the first call logged.
    /// </summary>
    protected abstract ValueTask<Change> ChangeAsync(
        Caller caller, ConversationRef conversation, TRequest request, long now, string? operationKey, CancellationToken cancellationToken);
}
