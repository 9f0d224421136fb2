namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>
/// What a script that may log an event answers, as its wrapper reads it: the status, and the stream entry it
/// appended (null when it appended none).
/// </summary>
internal sealed record EventReply(ScriptStatus Status, StreamEntryRef? Entry);
