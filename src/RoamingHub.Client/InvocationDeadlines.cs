using System.Collections.Concurrent;

namespace RoamingHub.Client;

/// <summary>
/// Invocation timeouts without a timer per call. Calls whose deadlines fall in the same slot share one
/// <see cref="CancellationTokenSource"/>, cancelled by one timer; a deadline is late by at most one slot. A timer per
/// call made thousands of timer-queue insertions a second contend on the runtime's timer lock in a process that
/// holds many connections (the load generator showed it in its stack samples).
/// </summary>
internal static class InvocationDeadlines
{
    private const long SlotMilliseconds = 100;
    private static readonly ConcurrentDictionary<long, CancellationTokenSource> Slots = new();

    /// <summary>Longest timeout a slot serves; past it (or for an infinite timeout) a call has no deadline.</summary>
    private static readonly TimeSpan Longest = TimeSpan.FromDays(1);

    /// <summary>
    /// A token cancelled between <paramref name="timeout"/> and <paramref name="timeout"/> plus one slot from now, or
    /// none for <see cref="Timeout.InfiniteTimeSpan"/> and timeouts over a day.
    /// </summary>
    public static CancellationToken After(TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan || timeout > Longest)
        {
            return CancellationToken.None;
        }

        var slot = (Environment.TickCount64 + (long)timeout.TotalMilliseconds) / SlotMilliseconds + 1;
        return Slots.TryGetValue(slot, out var shared) ? shared.Token : Slots.GetOrAdd(slot, Open).Token;
    }

    private static CancellationTokenSource Open(long slot)
    {
        // A source that loses the race to be stored still fires once, harmlessly, and is then unreachable.
        var source = new CancellationTokenSource(TimeSpan.FromMilliseconds(Math.Max(1, slot * SlotMilliseconds - Environment.TickCount64)));
        source.Token.UnsafeRegister(static state => Slots.TryRemove((KeyValuePair<long, CancellationTokenSource>)state!), new KeyValuePair<long, CancellationTokenSource>(slot, source));
        return source;
    }
}
