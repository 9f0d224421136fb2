
namespace RoamingHub.Server.Domain;

/// <summary>
/// The one way a feature reports a failure the client should see: a stable <see cref="ErrorCodes"/> value and a
/// human sentence. The hub filter and the REST exception handler map it to the wire; nothing else does.
/// </summary>
internal sealed class RoamingException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;

    public static RoamingException InvalidArgument(string message) => new(ErrorCodes.InvalidArgument, message);

    public static RoamingException NotFound(string message) => new(ErrorCodes.NotFound, message);
}
