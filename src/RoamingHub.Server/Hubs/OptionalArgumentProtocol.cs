using System.Buffers;
using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace RoamingHub.Server.Hubs;

/// <summary>
/// Lets a client call a hub method whose one argument is optional (declared with a default value, as in
/// <c>FetchConversations(FetchConversationsRequest? request = null)</c>) with no argument at all
/// (<c>"arguments": []</c>, what <c>connection.invoke("FetchConversations")</c> sends): the method gets null. SignalR
/// binds arguments by their count and supports neither optional parameters nor overloads, so it would refuse the call
/// with "Failed to invoke". Every other message passes through untouched.
/// </summary>
internal sealed class OptionalArgumentProtocol(IHubProtocol inner, IReadOnlySet<string> methods) : IHubProtocol
{
    public string Name => inner.Name;

    public int Version => inner.Version;

    public TransferFormat TransferFormat => inner.TransferFormat;

    /// <summary>The methods of <paramref name="hub"/> whose one parameter has a default value.</summary>
    public static IReadOnlySet<string> MethodsOf(Type hub) =>
        hub.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(method => method.GetParameters() is [{ HasDefaultValue: true }])
            .Select(method => method.Name)
            .ToFrozenSet(StringComparer.OrdinalIgnoreCase); // as SignalR matches method names

    public bool IsVersionSupported(int version) => inner.IsVersionSupported(version);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        var frame = input;
        if (!inner.TryParseMessage(ref input, binder, out message))
        {
            return false;
        }

        if (message is InvocationBindingFailureMessage failure && methods.Contains(failure.Target))
        {
            // Read the same frame again as a call of a method without parameters: if that binds, the client sent no
            // argument (any other failure binds no better that way, and keeps SignalR's answer).
            frame = frame.Slice(frame.Start, input.Start);
            if (inner.TryParseMessage(ref frame, new WithoutParameters(binder), out var bare) && bare is InvocationMessage { Arguments.Length: 0 } call)
            {
                message = new InvocationMessage(call.InvocationId, call.Target, [null], call.StreamIds) { Headers = call.Headers };
            }
        }

        return true;
    }

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => inner.WriteMessage(message, output);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => inner.GetMessageBytes(message);

    /// <summary>The hub's binder, but every method takes no argument.</summary>
    private sealed class WithoutParameters(IInvocationBinder binder) : IInvocationBinder
    {
        public IReadOnlyList<Type> GetParameterTypes(string methodName) => Type.EmptyTypes;

        public Type GetReturnType(string invocationId) => binder.GetReturnType(invocationId);

        public Type GetStreamItemType(string streamId) => binder.GetStreamItemType(streamId);

        public string? GetTarget(ReadOnlySpan<byte> utf8Bytes) => binder.GetTarget(utf8Bytes);
    }
}
