using RoamingHub.LoadTests.Measurement;
using RoamingHub.LoadTests.Probes;

namespace RoamingHub.LoadTests.Reporting;

/// <summary>Everything a run measured; printed as a table and written as JSON.</summary>
internal sealed class LoadResult
{
    public required string Scenario { get; init; }

    /// <summary>roaminghub, or socketio for the Socket.IO peer.</summary>
    public string Target { get; init; } = "roaminghub";

    public required string RunId { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required MachineInfo Machine { get; init; }

    public required RunShape Shape { get; init; }

    public double Seconds { get; set; }

    public ConnectionFigures? Connections { get; set; }

    public MemoryFigures? Memory { get; set; }

    public List<OperationFigures> Operations { get; } = [];

    public List<DeliveryFigures> Deliveries { get; } = [];

    public DeliveryAnomalies? Anomalies { get; set; }

    /// <summary>Redis commands per operation by phase, from <c>INFO commandstats</c> before and after.</summary>
    public Dictionary<string, RedisCost> RedisCost { get; } = new(StringComparer.Ordinal);

    /// <summary>Top-level Redis commands per operation by kind, from <c>MONITOR</c> around a few sequential calls.</summary>
    public Dictionary<string, double> RedisRoundTrips { get; } = new(StringComparer.Ordinal);

    /// <summary>CPU of each process by phase.</summary>
    public Dictionary<string, CpuUse> Cpu { get; } = new(StringComparer.Ordinal);

    /// <summary>Windows inside a phase that the GC figures are given for too, such as a phase's measured part.</summary>
    public Dictionary<string, TimeWindow> Windows { get; } = new(StringComparer.Ordinal);

    /// <summary>GC pauses of each process by phase (those of <see cref="Cpu"/>, then <see cref="Windows"/>).</summary>
    public Dictionary<string, PhaseGc> Gc { get; } = new(StringComparer.Ordinal);

    /// <summary>The figures the side-by-side comparison reads, filled in at the end of the run.</summary>
    public RunSummary? Summary { get; set; }

    public RedisBaseline? RedisBaseline { get; set; }

    public List<RedisRatio> RedisRatios { get; } = [];

    public List<TargetCheck> Targets { get; } = [];

    public List<string> Notes { get; } = [];

    /// <summary>Failed operations and connections, of every kind.</summary>
    public long Errors => Operations.Sum(o => o.Failed) + (Connections?.Failed ?? 0) + (Connections?.Dropped ?? 0);

    public long Lost => Deliveries.Sum(d => d.Lost);

    public long Duplicated => Deliveries.Sum(d => d.Duplicated);
}

/// <summary>A stretch of wall-clock time, UTC.</summary>
internal sealed record TimeWindow(DateTime FromUtc, DateTime ToUtc);

/// <summary>The machine a run measured on, and its one-minute load average when the run began.</summary>
internal sealed record MachineInfo(int Cores, long MemoryMiB, string Os, string Runtime)
{
    public double? LoadAverage { get; init; }

    public static MachineInfo Current()
    {
        long memory = 0;
        try
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            memory = line is null ? 0 : long.Parse(line["MemTotal:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 1024;
        }
        catch (IOException)
        {
        }

        double? load = null;
        try
        {
            load = double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
        }

        return new MachineInfo(Environment.ProcessorCount, memory, System.Runtime.InteropServices.RuntimeInformation.OSDescription, Environment.Version.ToString())
        {
            LoadAverage = load,
        };
    }
}

/// <summary>The load a run offered.</summary>
internal sealed record RunShape(
    int Nodes, int Users, int DevicesPerUser, double Rate, double WarmUpSeconds, double DurationSeconds, int BodyBytes,
    int ConversationsPerUser, int MessagesPerConversation, double ConversationsRate, double HistoryRate);

/// <summary>How connecting and holding went.</summary>
internal sealed record ConnectionFigures(
    long Attempted, long Opened, long Failed, IReadOnlyDictionary<string, long> FailuresByCode, long Dropped, LatencySummary ConnectLatency)
{
    /// <summary>From the first connection's due time until the last attempt ended.</summary>
    public double Seconds { get; init; }

    /// <summary>Why connections closed before the run closed them, by reason.</summary>
    public IReadOnlyDictionary<string, long> DropReasons { get; init; } = new Dictionary<string, long>();
}

/// <summary>Server working set per connection: (after − before) / connections.</summary>
internal sealed record MemoryFigures(long ServerBeforeKiB, long ServerAfterConnectKiB, long? ServerAfterHoldKiB, long Connections, double PerConnectionKiB, long LoadGeneratorKiB);

/// <summary>One kind of operation.</summary>
internal sealed record OperationFigures(
    string Name, double OfferedPerSecond, long Started, long Succeeded, long Failed, IReadOnlyDictionary<string, long> ErrorsByCode,
    double ThroughputPerSecond, LatencySummary Latency, LatencySummary StartLag);

/// <summary>One kind of push, checked device by device.</summary>
internal sealed record DeliveryFigures(string Name, long Expected, long Received, long Lost, long Duplicated, LatencySummary Latency);

/// <summary>
/// Across the whole fleet: pushes no operation expected, events the client recovered through <c>SyncEvents</c> after
/// missing their push, and live duplicates the client dropped.
/// </summary>
internal sealed record DeliveryAnomalies(long Unexpected, long RecoveredByClient, long DroppedByClient);

/// <summary>One of our operations set against the Redis command it is built on.</summary>
internal sealed record RedisRatio(string Operation, string Baseline, double OursPerSecond, double BaselinePerSecond, double Share, double CommandsPerOperation, double? TopLevelCommandsPerOperation);

/// <summary>A target of the issue, and whether this run met it.</summary>
internal sealed record TargetCheck(string Name, string Target, string Measured, bool Met, bool AtTargetLoad);
