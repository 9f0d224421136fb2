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

    [LoggerMessage(5, LogLevel.Warning, "Rewriting this node's connection records failed; retrying every heartbeat until it succeeds.")]
    public static partial void PresenceRewriteFailed(ILogger logger, Exception exception);

    [LoggerMessage(6, LogLevel.Error, "{Method} by user {UserId} failed unexpectedly.")]
    public static partial void UnexpectedFailure(ILogger logger, string method, string userId, Exception exception);

    [LoggerMessage(7, LogLevel.Warning, "Loading the store's scripts into Redis at start failed; each is loaded by the first call that needs it.")]
    public static partial void ScriptPreloadFailed(ILogger logger, Exception exception);

    [LoggerMessage(8, LogLevel.Warning, "Closing connection {ConnectionId} of user {UserId}: more than {Capacity} pushes are waiting for it; it reconnects and resumes from its seq.")]
    public static partial void OutboxOverflowed(ILogger logger, string userId, string connectionId, int capacity);

    [LoggerMessage(9, LogLevel.Warning, "Publishing pushes to the other nodes failed; their devices will catch up through their streams.")]
    public static partial void DeliveryPublishFailed(ILogger logger, Exception exception);

    [LoggerMessage(10, LogLevel.Warning, "Subscribing to the other nodes' pushes failed; retrying.")]
    public static partial void DeliverySubscribeFailed(ILogger logger, Exception exception);

    [LoggerMessage(11, LogLevel.Warning, "A delivery message from another node could not be read and was dropped.")]
    public static partial void DeliveryMessageUnreadable(ILogger logger, Exception exception);

    [LoggerMessage(12, LogLevel.Warning, "Resuming the stream of a connection of user {UserId} failed; the connection is closed so the device reconnects.")]
    public static partial void ResumeFailed(ILogger logger, string userId, Exception exception);

    [LoggerMessage(13, LogLevel.Warning, "The store no longer holds this node's last heartbeat: it lost or went back on its data. Rewriting this node's connection records now.")]
    public static partial void StoreLostPresence(ILogger logger);

    [LoggerMessage(14, LogLevel.Warning, "This node's heartbeat failed; other nodes count it dead after Roaming:NodeTimeout without one.")]
    public static partial void HeartbeatFailed(ILogger logger, Exception exception);

    [LoggerMessage(15, LogLevel.Warning, "A connection of user {UserId} could not be admitted: the store is unavailable. It is closed with allowReconnect so the device comes back.")]
    public static partial void ConnectDeferred(ILogger logger, string userId, Exception exception);

    [LoggerMessage(16, LogLevel.Warning, "This node's clock differs from Redis' by {SkewMs} ms: nodes judge each other's heartbeats and connection records by their own clocks, so keep them in sync (NTP).")]
    public static partial void ClockSkewed(ILogger logger, long skewMs);
}
