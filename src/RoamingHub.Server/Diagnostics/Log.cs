namespace RoamingHub.Server.Diagnostics;

/// <summary>Every log line RoamingHub writes, with stable event ids. Never logs tokens or message bodies.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Store: {Store}. {Detail}")]
    public static partial void StoreSelected(ILogger logger, string store, string detail);

    [LoggerMessage(2, LogLevel.Warning, "Pushing {Method} to user {UserId} failed; devices will catch up through SyncEvents.")]
    public static partial void PushFailed(ILogger logger, string method, string userId, Exception exception);

    [LoggerMessage(3, LogLevel.Debug, "{Method} by user {UserId} refused: {Code}.")]
    public static partial void Refused(ILogger logger, string method, string userId, string code);

    [LoggerMessage(4, LogLevel.Warning, "{Method} by user {UserId} failed: the store is unavailable.")]
    public static partial void StoreUnavailable(ILogger logger, string method, string userId, Exception exception);

    [LoggerMessage(5, LogLevel.Warning, "Refreshing this node's connections failed; retrying at the next interval.")]
    public static partial void PresenceRefreshFailed(ILogger logger, Exception exception);

    [LoggerMessage(6, LogLevel.Error, "{Method} by user {UserId} failed unexpectedly.")]
    public static partial void UnexpectedFailure(ILogger logger, string method, string userId, Exception exception);

    [LoggerMessage(7, LogLevel.Warning, "Loading the store's scripts into Redis at start failed; each is loaded by the first call that needs it.")]
    public static partial void ScriptPreloadFailed(ILogger logger, Exception exception);
}
