using System.Text;
using MessagePack;
using Microsoft.Extensions.Options;
using RoamingHub.Server.Diagnostics;
using RoamingHub.Server.Settings;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Behaviors;

/// <summary>A mutating command a client may repeat safely by giving it a <c>clientOpId</c>.</summary>
internal interface IIdempotentCommand
{
    Caller Caller { get; }

    string? ClientOpId { get; }
}

/// <summary>The operation an idempotent command is kept under, per user.</summary>
internal static class IdempotentCommands
{
    /// <summary>
    /// The command's operation key (<c>&lt;method&gt;:&lt;clientOpId&gt;</c>), null without a <c>clientOpId</c>. The
    /// method is part of it, so one id reused for another method is another operation. Handlers pass it to the store,
    /// whose change keeps its outcome under it in the same atomic step (see <see cref="IConversationStore"/>).
    /// </summary>
    public static string? OperationKey(this IIdempotentCommand command) =>
        command.ClientOpId is { } opId ? $"{command.GetType().Name}:{opId}" : null;
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
/// the store is unavailable, or unexpectedly, releases its claim so the client's retry runs it again, as a resumption
/// that the store's multi-step changes finish. A command whose answer is large keeps only what its repeats need
/// (<see cref="ICompactOutcome{TMessage, TResponse}"/>).
/// </summary>
/// <remarks>
/// A change's store step keeps its own outcome under the operation key in the same atomic step as the change (an
/// <c>S</c> outcome), so a call whose change was made but whose answer was lost (a store timeout) is never run twice:
/// its repeat runs the handler again, whose store steps change nothing and answer the kept outcome, so the repeat gets
/// the answer the first call would have had and pushes its event, which the first call never did (devices drop a seq
/// they have). That answer is then stored whole, as a completed call's is.
/// </remarks>
internal sealed class IdempotencyBehavior<TMessage, TResponse>(IOperationStore operations, IOptions<RoamingOptions> options)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    private const int MaxOpIdLength = 128;
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PatienceForTwin = TimeSpan.FromSeconds(10);
    // The command's name, a fixed set; a metric label, never anything from the call.
    private static readonly string MethodName = typeof(TMessage).Name;
    private static readonly MessagePackSerializerOptions Serializer = MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    // Not async itself: a call without a clientOpId goes straight on as the handler's own task.
    public ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken) =>
        message is IIdempotentCommand { ClientOpId: { } opId } command
            ? HandleOnceAsync(message, command, opId, next, cancellationToken)
            : next(message, cancellationToken);

    private async ValueTask<TResponse> HandleOnceAsync(
        TMessage message, IIdempotentCommand command, string opId, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        Ids.RequireToken(opId, "clientOpId", MaxOpIdLength);

        var key = command.OperationKey()!;
        var userId = command.Caller.UserId;
        var deadline = DateTime.UtcNow + PatienceForTwin;
        while (true)
        {
            var claim = await operations.BeginOperationAsync(userId, key, Lease, options.Value.IdempotencyWindow, cancellationToken).ConfigureAwait(false);
            try
            {
                if (claim.Outcome is { } outcome)
                {
                    RoamingMetrics.IdempotentRepeat(MethodName);
                    return outcome[0] switch
                    {
                        (byte)'C' when message is ICompactOutcome<TMessage, TResponse> compact =>
                            await next(compact.AsRepeat(outcome.AsMemory(1)), cancellationToken).ConfigureAwait(false),
                        (byte)'S' => await RebuildAsync(message, next, userId, key, cancellationToken).ConfigureAwait(false),
                        _ => Replay(outcome),
                    };
                }

                if (claim.Claimed)
                {
                    return await RunAsync(message, next, userId, key, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCompletedException)
            {
                // Another call stored the whole outcome while this one ran the steps: read it.
                continue;
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
        catch (RoamingException refused) when (refused.Code is not (ErrorCodes.Unavailable or ErrorCodes.RateLimited))
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

        await operations.CompleteOperationAsync(userId, key, Outcome(message, response), options.Value.IdempotencyWindow, CancellationToken.None).ConfigureAwait(false);
        return response;
    }

    /// <summary>
    /// A repeat of a call whose store step kept its outcome: the handler's steps answer it and change nothing. Nothing
    /// is stored or released when this fails: the kept outcome stays the operation's.
    /// </summary>
    private async ValueTask<TResponse> RebuildAsync(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, string userId, string key, CancellationToken cancellationToken)
    {
        var response = await next(message, cancellationToken).ConfigureAwait(false);
        await operations.CompleteOperationAsync(userId, key, Outcome(message, response), options.Value.IdempotencyWindow, CancellationToken.None).ConfigureAwait(false);
        return response;
    }

    private static byte[] Outcome(TMessage message, TResponse response) => message is ICompactOutcome<TMessage, TResponse> compact
        ? [(byte)'C', .. compact.Compact(response)]
        : [(byte)'R', .. MessagePackSerializer.Serialize(response, Serializer)];

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
