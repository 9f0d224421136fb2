namespace RoamingHub.Server.Domain;

/// <summary>Reads the time the way every feature and store needs it: Unix milliseconds from the injected clock.</summary>
internal static class Clock
{
    /// <summary>Now, in Unix milliseconds, from <paramref name="time"/> (a fake clock in tests).</summary>
    public static long UnixNow(this TimeProvider time) => time.GetUtcNow().ToUnixTimeMilliseconds();
}
