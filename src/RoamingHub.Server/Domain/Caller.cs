namespace RoamingHub.Server.Domain;

/// <summary>Who sent a command: the authenticated user, their device, and the connection when it came over the hub.</summary>
internal sealed record Caller(string UserId, string DeviceId, string? ConnectionId);
