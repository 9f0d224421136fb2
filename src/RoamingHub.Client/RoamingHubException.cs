namespace RoamingHub.Client;

/// <summary>
/// The server refused this client's connection, or closed it before it was started, with a stable error code
/// (<c>CONNECTION_LIMIT_EXCEEDED</c>, <c>INVALID_ARGUMENT</c>, <c>UNAUTHENTICATED</c>, …; docs/protocol.md lists them).
/// Its message is <c>CODE: sentence</c>, as the server words every error.
/// </summary>
public sealed class RoamingHubException : Exception
{
    /// <summary>A refusal with <paramref name="code"/>; <paramref name="statusCode"/> when it answered the WebSocket upgrade.</summary>
    internal RoamingHubException(string code, string sentence, int? statusCode = null, Exception? innerException = null)
        : base($"{code}: {sentence}", innerException)
    {
        Code = code;
        StatusCode = statusCode;
    }

    /// <summary>The error code, for example <c>CONNECTION_LIMIT_EXCEEDED</c>: the part of the message before its first colon.</summary>
    public string Code { get; }

    /// <summary>
    /// The HTTP status the server answered the WebSocket upgrade with (a refusal before the handshake); null when the
    /// refusal came as a Close message after it.
    /// </summary>
    public int? StatusCode { get; }
}
