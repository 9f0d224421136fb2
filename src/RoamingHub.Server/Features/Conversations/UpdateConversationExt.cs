using System.Text;
using Mediator;
using Microsoft.Extensions.Options;
using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Features.Behaviors;
using RoamingHub.Server.Settings;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Conversations;

/// <summary>
/// Sets the caller's extension field of a conversation (an app-defined string, up to <c>MaxExtBytes</c>); it comes
/// back in the lists, and other devices get <c>CONVERSATION_EXT_UPDATED</c>.
/// </summary>
internal sealed record UpdateConversationExt(Caller Caller, UpdateConversationExtRequest Request) : ICommand<UpdateExtResult>, IIdempotentCommand<UpdateConversationExtRequest>;

internal sealed class UpdateConversationExtHandler(IConversationStore conversations, IDeviceNotifier notifier, TimeProvider time, IOptions<RoamingOptions> options)
    : ICommandHandler<UpdateConversationExt, UpdateExtResult>
{
    public async ValueTask<UpdateExtResult> Handle(UpdateConversationExt command, CancellationToken cancellationToken)
    {
        var (caller, request) = command;
        var conversation = ConversationRef.Parse(request.ChatType, request.ConversationId, caller.UserId);
        var ext = string.IsNullOrEmpty(request.Ext) ? null : request.Ext;
        var max = options.Value.MaxExtBytes;
        if (ext is not null && Encoding.UTF8.GetByteCount(ext) > max)
        {
            throw RoamingException.InvalidArgument($"ext must be at most {max} bytes of UTF-8 text.");
        }

        var evt = await conversations.UpdateConversationExtAsync(caller.UserId, conversation, ext, caller.DeviceId, time.UnixNow(), cancellationToken)
            .ConfigureAwait(false);
        await notifier.SendToOtherDevicesAsync(caller, evt).ConfigureAwait(false);

        return new UpdateExtResult { Ext = ext, Seq = evt?.Seq };
    }
}
