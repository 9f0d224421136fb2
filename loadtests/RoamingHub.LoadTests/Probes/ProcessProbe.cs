using System.Diagnostics;
using System.Globalization;

namespace RoamingHub.LoadTests.Probes;

/// <summary>Memory and CPU of processes on this machine, read from <c>/proc</c>.</summary>
internal static class ProcessProbe
{
    /// <summary>Clock ticks per second of <c>/proc/[pid]/stat</c> (USER_HZ), which is 100 on Linux.</summary>
    private const double UserHz = 100;

    /// <summary>Resident set size (<c>VmRSS</c>) in KiB, or null when the process cannot be read.</summary>
    public static long? ResidentKiB(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }

    /// <summary>The sum of <see cref="ResidentKiB"/> over <paramref name="pids"/>, or null when any cannot be read.</summary>
    public static long? ResidentKiB(IReadOnlyList<int> pids)
    {
        long total = 0;
        foreach (var pid in pids)
        {
            if (ResidentKiB(pid) is not { } kib)
            {
                return null;
            }

            total += kib;
        }

        return pids.Count == 0 ? null : total;
    }

    /// <summary>User plus system CPU time a process has used, or null when it cannot be read.</summary>
    public static TimeSpan? CpuTime(int pid)
    {
        if (pid == Environment.ProcessId)
        {
            return Process.GetCurrentProcess().TotalProcessorTime;
        }

        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name may hold spaces and parentheses: fields are counted after its closing ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / UserHz);
        }
        catch (IOException)
        {
            return null;
        }
    }
}

/// <summary>CPU use of the machine, read from <c>/proc/stat</c>.</summary>
internal static class MachineProbe
{
    /// <summary>CPU time all cores spent busy (everything but idle and waiting for I/O) since boot, or null off Linux.</summary>
    public static TimeSpan? BusyTime()
    {
        try
        {
            // cpu  user nice system idle iowait irq softirq steal guest guest_nice (guest time is inside user)
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            long Field(int i) => long.Parse(fields[i], CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds((Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8)) / 100.0);
        }
        catch (IOException)
        {
            return null;
        }
    }
}

/// <summary>CPU use of the processes of a run between two points in time, as a share of one core.</summary>
internal sealed class CpuWatch
{
    private readonly IReadOnlyList<int> _serverPids;
    private readonly RedisProbe? _redis;
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly DateTime _startUtc = DateTime.UtcNow;
    private readonly TimeSpan? _machine = MachineProbe.BusyTime();
    private readonly TimeSpan _loadGenerator = Process.GetCurrentProcess().TotalProcessorTime;
    private readonly TimeSpan?[] _servers;
    private TimeSpan? _redisStart;

    private CpuWatch(IReadOnlyList<int> serverPids, RedisProbe? redis)
    {
        _serverPids = serverPids;
        _redis = redis;
        _servers = [.. serverPids.Select(ProcessProbe.CpuTime)];
    }

    public static async Task<CpuWatch> StartAsync(IReadOnlyList<int> serverPids, RedisProbe? redis)
    {
        var watch = new CpuWatch(serverPids, redis);
        watch._redisStart = redis is null ? null : await redis.CpuTimeAsync().ConfigureAwait(false);
        return watch;
    }

    /// <summary>Percent of one core each process used since the start (200% is both cores of a 2-core machine).</summary>
    public async Task<CpuUse> StopAsync()
    {
        var seconds = Stopwatch.GetElapsedTime(_start).TotalSeconds;
        double Percent(TimeSpan used) => Math.Round(100 * used.TotalSeconds / seconds, 1);

        var loadGenerator = Percent(Process.GetCurrentProcess().TotalProcessorTime - _loadGenerator);
        var servers = new List<double?>();
        for (var i = 0; i < _serverPids.Count; i++)
        {
            servers.Add(ProcessProbe.CpuTime(_serverPids[i]) is { } now && _servers[i] is { } then ? Percent(now - then) : null);
        }

        double? redis = null;
        if (_redis is not null && _redisStart is { } redisStart && await _redis.CpuTimeAsync().ConfigureAwait(false) is { } redisNow)
        {
            redis = Percent(redisNow - redisStart);
        }

        // Whatever the machine did beyond the run's own processes: other work on a shared machine, which no figure
        // of this run should be read without.
        double? others = MachineProbe.BusyTime() is { } machineNow && _machine is { } machineThen && servers.All(p => p is not null)
            ? Math.Max(0, Math.Round(Percent(machineNow - machineThen) - loadGenerator - servers.Sum()!.Value - (redis ?? 0), 1))
            : null;
        return new CpuUse(Math.Round(seconds, 1), loadGenerator, servers, redis)
        {
            FromUtc = _startUtc,
            ToUtc = DateTime.UtcNow,
            OthersPercent = others,
        };
    }
}

/// <summary>CPU used over a phase, in percent of one core, and the operations the phase did (connections, for connect).</summary>
internal sealed record CpuUse(double Seconds, double LoadGeneratorPercent, IReadOnlyList<double?> ServerPercent, double? RedisPercent)
{
    public DateTime FromUtc { get; init; }

    public DateTime ToUtc { get; init; }

    public long Operations { get; init; }

    /// <summary>CPU the rest of the machine used meanwhile (all cores' busy time less the run's processes').</summary>
    public double? OthersPercent { get; init; }

    /// <summary>CPU time of a process per operation of the phase, in µs; null when either is unknown.</summary>
    public double? MicrosPerOperation(double? percent) =>
        Operations > 0 && percent is { } p ? Math.Round(p / 100 * Seconds * 1e6 / Operations, 1) : null;

    /// <summary>All server processes together, null when one could not be read.</summary>
    public double? ServersPercent => ServerPercent.All(p => p is not null) && ServerPercent.Count > 0 ? ServerPercent.Sum() : null;
}
