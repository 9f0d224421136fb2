using System.Collections.Concurrent;
using System.Net.WebSockets;
using Microsoft.AspNetCore.SignalR;
using RoamingHub.Contracts;

namespace RoamingHub.LoadTests.Measurement;

/// <summary>Failures counted by code: the hub's own codes, and a few of ours for failures that never reached it.</summary>
internal sealed class ErrorTally
{
    /// <summary>An operation that did not complete within the invocation timeout or the drain.</summary>
    public const string Timeout = "TIMEOUT";

    /// <summary>An operation not started because too many were already in flight: the server fell far behind.</summary>
    public const string Backlog = "LOADGEN_BACKLOG";

    /// <summary>The connection was gone when the operation was due.</summary>
    public const string NotConnected = "NOT_CONNECTED";

    private static readonly string[] KnownCodes =
    [
        ErrorCodes.InvalidArgument, ErrorCodes.NotFound, ErrorCodes.Forbidden, ErrorCodes.PinLimitExceeded,
        ErrorCodes.ConnectionLimitExceeded, ErrorCodes.RateLimited, ErrorCodes.Unavailable, ErrorCodes.Unauthenticated,
    ];

    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public long Total => _counts.Values.Sum();

    public void Add(string code) => _counts.AddOrUpdate(code, 1, (_, n) => n + 1);

    public void Add(Exception exception) => Add(CodeOf(exception));

    public IReadOnlyDictionary<string, long> Snapshot() => new SortedDictionary<string, long>(_counts, StringComparer.Ordinal);

    /// <summary>
    /// Hub errors begin with their code ("CODE: sentence"); a refused connection carries it after SignalR's own words.
    /// Anything else is named by where it failed.
    /// </summary>
    public static string CodeOf(Exception exception)
    {
        if (exception is AggregateException { InnerExceptions.Count: 1 } aggregate)
        {
            return CodeOf(aggregate.InnerExceptions[0]);
        }

        var message = exception.Message;
        foreach (var code in KnownCodes)
        {
            if (message.StartsWith(code + ":", StringComparison.Ordinal))
            {
                return code;
            }
        }

        foreach (var code in KnownCodes)
        {
            if (message.Contains(code + ":", StringComparison.Ordinal))
            {
                return code;
            }
        }

        return exception switch
        {
            OperationCanceledException or TimeoutException => Timeout,
            InvalidOperationException when message.Contains("not active", StringComparison.Ordinal) => NotConnected,
            WebSocketException or HttpRequestException or IOException => "TRANSPORT",
            HubException => "HUB_ERROR",
            _ => exception.GetType().Name,
        };
    }
}
