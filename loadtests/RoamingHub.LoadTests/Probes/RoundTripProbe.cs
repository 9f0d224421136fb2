using System.Diagnostics;
using System.Globalization;

namespace RoamingHub.LoadTests.Probes;

/// <summary>
/// Counts the Redis commands one operation sends, apart from those its scripts run inside Redis. <c>INFO
/// commandstats</c> counts a script's inner commands like any other, so it cannot tell a script from a round trip;
/// <c>MONITOR</c> can: it marks a script's commands <c>[db lua]</c>. A few operations are run one after another
/// while <c>redis-cli monitor</c> listens, so the count is per operation. Pipelined commands still count one each,
/// so this is an upper bound on round trips.
/// </summary>
internal static class RoundTripProbe
{
    /// <summary>Commands the client library and the nodes send on their own, whatever the operation.</summary>
    private static readonly HashSet<string> Background = new(StringComparer.OrdinalIgnoreCase)
    {
        "ping", "echo", "info", "client", "cluster", "config", "subscribe", "unsubscribe", "psubscribe", "punsubscribe",
        "monitor", "select", "hello", "auth", "sentinel", "slowlog", "command", "exists",
    };

    /// <summary>Top-level commands per operation, or null when <c>redis-cli</c> is not on PATH.</summary>
    public static async Task<double?> MeasureAsync(string redisConnectionString, int operations, Func<int, Task> operation, CancellationToken cancellationToken)
    {
        if (!(Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, "redis-cli"))))
        {
            return null;
        }

        var (host, port) = LoadOptions.RedisHost(redisConnectionString);
        var start = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-h", host, "-p", port.ToString(CultureInfo.InvariantCulture), "monitor" })
        {
            start.ArgumentList.Add(argument);
        }

        using var monitor = Process.Start(start) ?? throw new InvalidOperationException("redis-cli did not start.");
        var lines = new List<string>();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        monitor.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not { } line)
            {
                return;
            }

            if (line == "OK")
            {
                ready.TrySetResult();
                return;
            }

            lock (lines)
            {
                lines.Add(line);
            }
        };
        monitor.BeginOutputReadLine();
        monitor.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
            lock (lines)
            {
                lines.Clear();
            }

            for (var i = 0; i < operations; i++)
            {
                await operation(i).ConfigureAwait(false);
            }

            // MONITOR streams asynchronously: give the last commands time to be printed.
            await Task.Delay(300, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            monitor.Kill(entireProcessTree: true);
            await monitor.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        string[] snapshot;
        lock (lines)
        {
            snapshot = [.. lines];
        }

        // 1700000000.123456 [0 127.0.0.1:53412] "evalsha" "…" …   or   … [0 lua] "zrevrange" …
        var topLevel = snapshot.Count(line =>
            !line.Contains(" lua]", StringComparison.Ordinal) && CommandOf(line) is { } command && !Background.Contains(command));
        return Math.Round((double)topLevel / operations, 2);
    }

    private static string? CommandOf(string line)
    {
        var close = line.IndexOf("] \"", StringComparison.Ordinal);
        if (close < 0)
        {
            return null;
        }

        var end = line.IndexOf('"', close + 3);
        return end < 0 ? null : line[(close + 3)..end];
    }
}
