using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace RoamingHub.Server.Hubs;

/// <summary>
/// Wraps each hub protocol so that an error a client receives begins with its stable code. SignalR words an invocation
/// error as "An unexpected error occurred invoking 'X' on the server. HubException: CODE: sentence" and a refused
/// connection as "Connection closed with an error. HubException: CODE: sentence"; this writes "CODE: sentence" instead,
/// so clients in any language can read the code from the start of the message. On the way in, a call whose argument was
/// refused while it was read (an unknown field) keeps that refusal's code and sentence. Other messages pass through
/// untouched.
/// </summary>
internal sealed class CodedErrorProtocol(IHubProtocol inner) : IHubProtocol
{
    private const string Marker = nameof(HubException) + ": ";

    public string Name => inner.Name;

    public int Version => inner.Version;

    public TransferFormat TransferFormat => inner.TransferFormat;

    public bool IsVersionSupported(int version) => inner.IsVersionSupported(version);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        if (!inner.TryParseMessage(ref input, binder, out message))
        {
            return false;
        }

        // An argument refused while it was read (an unknown field) carries its code and sentence, wrapped by the
        // serializer and the protocol; SignalR words a binding failure's cause into the completion only when it is a
        // HubException, so it goes on as one.
        if (message is InvocationBindingFailureMessage failure && RefusalIn(failure.BindingFailure.SourceException) is { } refusal)
        {
            message = new InvocationBindingFailureMessage(
                failure.InvocationId, failure.Target, ExceptionDispatchInfo.Capture(new HubException($"{refusal.Code}: {refusal.Message}")));
        }

        return true;
    }

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => inner.WriteMessage(Rewrite(message), output);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => inner.GetMessageBytes(Rewrite(message));

    /// <summary>
    /// Replaces every registered hub protocol with its wrapped form: errors coded, and the optional arguments of
    /// <typeparamref name="THub"/>'s methods bound when a call leaves them out (<see cref="OptionalArgumentProtocol"/>).
    /// </summary>
    public static void Decorate<THub>(IServiceCollection services) where THub : Hub
    {
        var optional = OptionalArgumentProtocol.MethodsOf(typeof(THub));
        foreach (var descriptor in services.Where(d => d.ServiceType == typeof(IHubProtocol)).ToList())
        {
            var implementation = descriptor.ImplementationType
                ?? throw new InvalidOperationException("Hub protocols are expected to be registered by type.");
            services.Remove(descriptor);
            services.AddSingleton<IHubProtocol>(provider => new CodedErrorProtocol(
                new OptionalArgumentProtocol((IHubProtocol)ActivatorUtilities.CreateInstance(provider, implementation), optional)));
        }
    }

    private static HubMessage Rewrite(HubMessage message) => message switch
    {
        CompletionMessage { Error: { } error } completion when Coded(error) is { } coded =>
            CompletionMessage.WithError(completion.InvocationId!, coded),
        CloseMessage { Error: { } error } close when Coded(error) is { } coded =>
            new CloseMessage(coded, close.AllowReconnect),
        _ => message,
    };

    private static string? Coded(string error)
    {
        var at = error.IndexOf(Marker, StringComparison.Ordinal);
        var detail = at < 0 ? error : error[(at + Marker.Length)..];
        if (StartsWithCode(detail))
        {
            return detail;
        }

        // SignalR's own refusals of a malformed invocation (unknown method, arguments that do not bind): the
        // caller's input was wrong, so say so with a code.
        if (error.StartsWith("Failed to invoke", StringComparison.Ordinal)
            || error.StartsWith("Unknown hub method", StringComparison.Ordinal)
            || error.Contains("Error binding arguments", StringComparison.Ordinal))
        {
            return $"{ErrorCodes.InvalidArgument}: {detail}";
        }

        return error.StartsWith("An unexpected error occurred", StringComparison.Ordinal) ? $"{ErrorCodes.Internal}: {detail}" : null;
    }

    private static RoamingException? RefusalIn(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is RoamingException refusal)
            {
                return refusal;
            }
        }

        return null;
    }

    /// <summary>True for "CODE: sentence", as <see cref="HubErrorFilter"/> words every error it maps.</summary>
    private static bool StartsWithCode(string text)
    {
        var colon = text.IndexOf(": ", StringComparison.Ordinal);
        return colon > 1 && text.AsSpan(0, colon).IndexOfAnyExcept("ABCDEFGHIJKLMNOPQRSTUVWXYZ_") < 0;
    }
}
