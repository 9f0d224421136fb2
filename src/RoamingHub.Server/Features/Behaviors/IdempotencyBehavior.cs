using System.Text;
using MessagePack;
using Microsoft.Extensions.Options;
using RoamingHub.Server.Settings;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Behaviors;

/// <summary>A mutating command a client may repeat safely by giving it a <c>clientOpId</c>.</summary>
internal interface IIdempotentCommand
{
    Caller Caller { get; }

    string? ClientOpId { get; }
}

/// <summary>A command that takes its <c>clientOpId</c> from its wire request, so no command has to say so itself.</summary>
internal interface IIdempotentCommand<out TRequest> : IIdempotentCommand
    where TRequest : IIdempotentRequest
{
    TRequest Request { get; }

    string? IIdempotentCommand.ClientOpId => Request.ClientOpId;
}

/// <summary>
/// Gives every <see cref="IIdempotentCommand"/> exactly one effect per <c>clientOpId</c> within the idempotency window,
/// on any node: the first call claims the id in the store and records its outcome (result or error code); repeats
/// return that outcome, and a repeat that arrives while the first still runs waits for it. A call that fails because
/// the store is unavailable, or unexpectedly, releases its claim so the client's retry runs it again. A command whose
/// answer is large keeps only what its repeats need (<see cref="ICompactOutcome{TMessage, TResponse}"/>).
/// </summary>
internal sealed class IdempotencyBehavior<TMessage, TResponse>(IOperationStore operations, IOptions<RoamingOptions> options)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    private const int MaxOpIdLength = 128;
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PatienceForTwin = TimeSpan.FromSeconds(10);
    private static readonly MessagePackSerializerOptions Serializer = MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        if (message is not IIdempotentCommand { ClientOpId: { } opId } command)
        {
            return await next(message, cancellationToken).ConfigureAwait(false);
        }

        Ids.RequireToken(opId, "clientOpId", MaxOpIdLength);

        // The method is part of the key, so one id reused for another method is another operation.
        var key = $"{typeof(TMessage).Name}:{opId}";
        var userId = command.Caller.UserId;
        var deadline = DateTime.UtcNow + PatienceForTwin;
        while (true)
        {
            var claim = await operations.BeginOperationAsync(userId, key, Lease, cancellationToken).ConfigureAwait(false);
            if (claim.Outcome is { } outcome)
            {
                return outcome[0] == (byte)'C' && message is ICompactOutcome<TMessage, TResponse> compact
                    ? await next(compact.AsRepeat(outcome.AsMemory(1)), cancellationToken).ConfigureAwait(false)
                    : Replay(outcome);
            }

            if (claim.Claimed)
            {
                return await RunAsync(message, next, userId, key, cancellationToken).ConfigureAwait(false);
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new RoamingException(ErrorCodes.Unavailable, "The same operation is still running; retry with the same clientOpId.");
            }

            await Task.Delay(25, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<TResponse> RunAsync(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, string userId, string key, CancellationToken cancellationToken)
    {
        TResponse response;
        try
        {
            response = await next(message, cancellationToken).ConfigureAwait(false);
        }
        catch (RoamingException refused) when (refused.Code != ErrorCodes.Unavailable)
        {
            await operations.CompleteOperationAsync(userId, key, Encoding.UTF8.GetBytes($"E{refused.Code}\n{refused.Message}"), options.Value.IdempotencyWindow, CancellationToken.None)
                .ConfigureAwait(false);
            throw;
        }
        catch
        {
            await operations.AbandonOperationAsync(userId, key, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        byte[] outcome = message is ICompactOutcome<TMessage, TResponse> compact
            ? [(byte)'C', .. compact.Compact(response)]
            : [(byte)'R', .. MessagePackSerializer.Serialize(response, Serializer)];
        await operations.CompleteOperationAsync(userId, key, outcome, options.Value.IdempotencyWindow, CancellationToken.None).ConfigureAwait(false);
        return response;
    }

    private static TResponse Replay(byte[] outcome)
    {
        if (outcome[0] == (byte)'E')
        {
            var text = Encoding.UTF8.GetString(outcome, 1, outcome.Length - 1);
            var newline = text.IndexOf('\n', StringComparison.Ordinal);
            throw new RoamingException(text[..newline], text[(newline + 1)..]);
        }

        return MessagePackSerializer.Deserialize<TResponse>(outcome.AsMemory(1), Serializer);
    }
}
