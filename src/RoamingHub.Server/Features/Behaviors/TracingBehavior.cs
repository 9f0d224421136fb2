using System.Diagnostics;
using System.Runtime.CompilerServices;
using RoamingHub.Server.Diagnostics;

namespace RoamingHub.Server.Features.Behaviors;

/// <summary>
/// Gives each use case a span of its own (named after its request: <c>PinConversation</c>) between the span of the
/// hub call or admin request that sent it and the store scripts it runs, the idempotency step's included. Only inside a
/// traced call: without one, or without a tracer, the request goes straight on.
/// </summary>
internal sealed class TracingBehavior<TMessage, TResponse> : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    // The request's type name, a fixed set: the span's name, never anything from the call.
    private static readonly string Name = typeof(TMessage).Name;

    public ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken) =>
        RoamingTracing.StartFeature(Name) is { } span
            ? TraceAsync(span, message, next, cancellationToken)
            : next(message, cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<TResponse> TraceAsync(Activity span, TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        using (span)
        {
            try
            {
                return await next(message, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                RoamingTracing.SetOutcome(span, ex is RoamingException refused ? refused.Code : ex.GetType().FullName ?? ErrorCodes.Internal);
                throw;
            }
        }
    }
}
