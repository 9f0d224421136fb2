using RoamingHub.Server.Features.Behaviors;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Unread;

/// <summary>
/// Marks a conversation unread for the caller until <c>MarkConversationRead</c> or <c>MarkAllConversationsRead</c>;
/// its unread count stays the real count. The caller's other devices get <c>CONVERSATION_MARKED_UNREAD</c>. A
/// conversation marked already changes nothing and emits nothing.
/// </summary>
internal sealed record MarkConversationUnread(Caller Caller, MarkConversationUnreadRequest Request) : ICommand<MarkUnreadResult>, IIdempotentCommand<MarkConversationUnreadRequest>;

internal sealed class MarkConversationUnreadHandler(IConversationSettingsStore settings, IDeviceNotifier notifier, TimeProvider time)
    : ConversationChangeHandler<MarkConversationUnread, MarkConversationUnreadRequest, MarkUnreadResult>(notifier, time)
{
    protected override async ValueTask<Change> ChangeAsync(
        Caller caller, ConversationRef conversation, MarkConversationUnreadRequest request, long now, string? operationKey, CancellationToken cancellationToken)
    {
        var change = await settings.MarkConversationUnreadAsync(caller.UserId, conversation, caller.DeviceId, now, operationKey, cancellationToken).ConfigureAwait(false);
        return new(change, new MarkUnreadResult { Seq = change?.Seq, Epoch = change?.Epoch });
    }
}
