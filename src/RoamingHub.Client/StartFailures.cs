using System.Net.WebSockets;
using Microsoft.AspNetCore.SignalR;
using RoamingHub.Contracts;

namespace RoamingHub.Client;

/// <summary>
/// How <see cref="RoamingHubClient.StartAsync"/> reads a failed attempt to connect. A refusal with a code is final:
/// trying again gets the same answer. Everything that says nothing about this device — no answer at all, a close that
/// allows reconnecting or names no code, a code that may pass (<c>UNAVAILABLE</c>, <c>RATE_LIMITED</c>,
/// <c>INTERNAL</c>, or HTTP 5xx, 408, 429) — is worth another attempt.
/// </summary>
internal static class StartFailures
{
    /// <summary>How the SignalR .NET client words a Close message that carries an error.</summary>
    private const string ClosePrefix = "The server closed the connection with the following error: ";

    /// <summary>Whether another attempt may succeed where <paramref name="error"/> failed.</summary>
    public static bool IsTransient(Exception error) => error switch
    {
        // An answer to the upgrade: the status says whether the server (or a proxy in front of it) was only busy.
        RoamingHubException { StatusCode: { } status } => status is >= 500 or 408 or 429,
        RoamingHubException closed => MayPass(closed.Code),
        HubException answer => CodeOf(answer.Message) is { } code && MayPass(code),
        // No answer: nothing listening, a dropped socket, a handshake or invocation that timed out. The caller's own
        // cancellation never gets here.
        WebSocketException or HttpRequestException or IOException or TimeoutException or OperationCanceledException => true,
        _ => false,
    };

    /// <summary>
    /// The server answered the WebSocket upgrade with <paramref name="statusCode"/> instead of 101. Its code comes from
    /// <see cref="RoamingProtocol.ErrorCodeHeader"/>, or from the status where a proxy or the authentication step
    /// answered without it.
    /// </summary>
    public static RoamingHubException UpgradeRefused(int statusCode, string? headerCode, Exception inner)
    {
        var code = headerCode is not null && IsCode(headerCode) ? headerCode : CodeFor(statusCode);
        return new RoamingHubException(code, $"The server refused the connection (HTTP {statusCode}).", statusCode, inner);
    }

    /// <summary>
    /// The connection went away before the client was started: a Close message with a coded error is the server's
    /// refusal; a close that allows reconnecting, or says nothing, counts as <c>UNAVAILABLE</c>.
    /// </summary>
    public static RoamingHubException ConnectionEnded(Exception? closeError, bool reconnecting, Exception callError)
    {
        if (!reconnecting && closeError is HubException { Message: var message } && message.StartsWith(ClosePrefix, StringComparison.Ordinal)
            && Split(message[ClosePrefix.Length..]) is ({ } code, var sentence))
        {
            return new RoamingHubException(code, sentence, innerException: closeError);
        }

        var sentenceOfEnd = reconnecting
            ? "The server closed the connection for a reconnect before it was ready."
            : "The connection closed before the server answered.";
        return new RoamingHubException(ErrorCodes.Unavailable, sentenceOfEnd, innerException: closeError ?? callError);
    }

    /// <summary>
    /// The code a server's answer to a call starts with (<c>CODE: sentence</c>), or null: also for the error SignalR
    /// gives calls that were pending when a Close message arrived, which starts with its own words.
    /// </summary>
    public static string? CodeOf(string message) => Split(message)?.Code;

    /// <summary>
    /// Codes of a server that could not serve the request now, rather than of one that refuses it: the codes of the
    /// HTTP statuses 503, 429 and 500.
    /// </summary>
    private static bool MayPass(string code) => code is ErrorCodes.Unavailable or ErrorCodes.RateLimited or ErrorCodes.Internal;

    private static (string Code, string Sentence)? Split(string text)
    {
        var colon = text.IndexOf(": ", StringComparison.Ordinal);
        return colon > 0 && IsCode(text[..colon]) ? (text[..colon], text[(colon + 2)..]) : null;
    }

    private static bool IsCode(string text) =>
        text.Length > 0 && char.IsAsciiLetterUpper(text[0]) && text.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_');

    /// <summary>The code each status means on the hub path, as the admin API maps codes to statuses.</summary>
    private static string CodeFor(int statusCode) => statusCode switch
    {
        401 => ErrorCodes.Unauthenticated,
        403 => ErrorCodes.Forbidden,
        404 => ErrorCodes.NotFound,
        409 => ErrorCodes.ConnectionLimitExceeded,
        429 => ErrorCodes.RateLimited,
        500 => ErrorCodes.Internal,
        408 or >= 500 => ErrorCodes.Unavailable,
        _ => ErrorCodes.InvalidArgument,
    };
}
