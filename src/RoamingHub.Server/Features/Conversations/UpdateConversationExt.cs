using System.Text;
using Microsoft.Extensions.Options;
using RoamingHub.Server.Features.Behaviors;
using RoamingHub.Server.Settings;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Conversations;

/// <summary>
/// Sets the caller's extension field of a conversation (an app-defined string, up to <c>MaxExtBytes</c>); it comes
/// back in the lists, and other devices get <c>CONVERSATION_EXT_UPDATED</c>.
/// </summary>
internal sealed record UpdateConversationExt(Caller Caller, UpdateConversationExtRequest Request) : ICommand<UpdateExtResult>, IIdempotentCommand<UpdateConversationExtRequest>;

internal sealed class UpdateConversationExtHandler(IConversationStore conversations, IOptions<RoamingOptions> options, IDeviceNotifier notifier, TimeProvider time)
    : ConversationChangeHandler<UpdateConversationExt, UpdateConversationExtRequest, UpdateExtResult>(notifier, time)
{
    protected override async ValueTask<Change> ChangeAsync(
        Caller caller, ConversationRef conversation, UpdateConversationExtRequest request, long now, string? operationKey, CancellationToken cancellationToken)
    {
        var ext = string.IsNullOrEmpty(request.Ext) ? null : request.Ext;
        var max = options.Value.MaxExtBytes;
        if (ext is not null && Encoding.UTF8.GetByteCount(ext) > max)
        {
            throw RoamingException.InvalidArgument($"ext must be at most {max} bytes of UTF-8 text.");
        }

        var change = await conversations.UpdateConversationExtAsync(caller.UserId, conversation, ext, caller.DeviceId, now, operationKey, cancellationToken).ConfigureAwait(false);
        return new(change, new UpdateExtResult { Ext = ext, Seq = change?.Seq, Epoch = change?.Epoch });
    }
}
