using RoamingHub.Contracts;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>
/// What a script that may log an event answers, as its wrapper reads it: the status, the stream entry it appended
/// (null when it appended none) and the event as it logged it (null when it logged none).
/// </summary>
internal sealed record EventReply(ScriptStatus Status, StreamEntryRef? Entry, MultiDeviceEvent? Logged = null)
{
    /// <summary>The logged event with its seq and epoch, so a repeat answers the event the first run logged, time included.</summary>
    public MultiDeviceEvent? Event => Entry is { } entry && Logged is { } logged ? entry.Stamp(logged) : null;
}
