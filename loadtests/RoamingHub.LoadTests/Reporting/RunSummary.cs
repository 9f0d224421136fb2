using RoamingHub.LoadTests.Probes;
using RoamingHub.LoadTests.Scenarios;

namespace RoamingHub.LoadTests.Reporting;

/// <summary>
/// The figures of one pin-fanout run that the side-by-side comparison sets against the other target's: flat numbers,
/// written into the run's JSON so <c>--compare</c> reads them back without the rest. CPU is µs of one process's CPU
/// time per operation of its phase (warm-up included); null is a figure the run could not take.
/// </summary>
internal sealed record RunSummary
{
    public required string Target { get; init; }

    public int Nodes { get; init; }

    public int Users { get; init; }

    public int DevicesPerUser { get; init; }

    public double Rate { get; init; }

    public double WarmUpSeconds { get; init; }

    public double DurationSeconds { get; init; }

    public double? LoadAverage { get; init; }

    /// <summary>CPU of the machine's other processes during the pin phase, % of one core: a shared machine's disturbance.</summary>
    public double? OthersCpuPercent { get; init; }

    /// <summary>Pin → each of the user's other devices, over the measured window.</summary>
    public LatencySummaryRow? Event { get; init; }

    /// <summary>The pinning device's own answer.</summary>
    public LatencySummaryRow? Ack { get; init; }

    public long EventsExpected { get; init; }

    public long Lost { get; init; }

    public long Duplicated { get; init; }

    public long Errors { get; init; }

    public long Connections { get; init; }

    public double? ConnectSeconds { get; init; }

    public double? ConnectP99Ms { get; init; }

    public ProcessCosts? PerPin { get; init; }

    public ProcessCosts? PerConnect { get; init; }

    /// <summary>CPU of one idle connection over 30 s, from the idle phase (null without one).</summary>
    public ProcessCosts? PerIdleConnection30s { get; init; }

    /// <summary>GC pauses over the pin phase's measured window.</summary>
    public GcRow? GcMeasured { get; init; }

    /// <summary>GC pauses while connecting.</summary>
    public GcRow? GcConnect { get; init; }

    public static RunSummary Of(LoadResult result)
    {
        var delivery = result.Deliveries.FirstOrDefault(d => d.Name == PinFanoutScenario.Delivery);
        var ack = result.Operations.FirstOrDefault(o => o.Name == PinFanoutScenario.Operation);
        var idle = result.Cpu.GetValueOrDefault(PinFanoutScenario.IdlePhase);
        return new RunSummary
        {
            Target = result.Target,
            Nodes = result.Shape.Nodes,
            Users = result.Shape.Users,
            DevicesPerUser = result.Shape.DevicesPerUser,
            Rate = result.Shape.Rate,
            WarmUpSeconds = result.Shape.WarmUpSeconds,
            DurationSeconds = result.Shape.DurationSeconds,
            LoadAverage = result.Machine.LoadAverage,
            OthersCpuPercent = result.Cpu.GetValueOrDefault(PinFanoutScenario.Operation)?.OthersPercent,
            Event = delivery is null ? null : LatencySummaryRow.Of(delivery.Latency),
            Ack = ack is null ? null : LatencySummaryRow.Of(ack.Latency),
            EventsExpected = delivery?.Expected ?? 0,
            Lost = result.Lost,
            Duplicated = result.Duplicated,
            Errors = result.Errors,
            Connections = result.Connections?.Opened ?? 0,
            ConnectSeconds = result.Connections?.Seconds,
            ConnectP99Ms = result.Connections?.ConnectLatency.P99,
            PerPin = ProcessCosts.Of(result.Cpu.GetValueOrDefault(PinFanoutScenario.Operation), 1),
            PerConnect = ProcessCosts.Of(result.Cpu.GetValueOrDefault(ScenarioContext.ConnectPhase), 1),
            PerIdleConnection30s = idle is null || idle.Seconds <= 0 ? null : ProcessCosts.Of(idle, 30 / idle.Seconds),
            GcMeasured = GcRow.Of(result.Gc.GetValueOrDefault(PinFanoutScenario.MeasuredWindow)),
            GcConnect = GcRow.Of(result.Gc.GetValueOrDefault(ScenarioContext.ConnectPhase)),
        };
    }
}

/// <summary>Percentiles in milliseconds.</summary>
internal sealed record LatencySummaryRow(double P50, double P95, double P99, double P999, double Max)
{
    public static LatencySummaryRow? Of(Measurement.LatencySummary latency) =>
        latency.Count == 0 ? null : new(latency.P50, latency.P95, latency.P99, latency.P999, latency.Max);
}

/// <summary>CPU µs per operation of each process: the generator, each node, the nodes together, Redis, and all.</summary>
internal sealed record ProcessCosts(double? Generator, IReadOnlyList<double?> Nodes, double? Servers, double? Redis, double? All)
{
    /// <summary>Per operation of <paramref name="cpu"/>, times <paramref name="scale"/> (30 s over the phase's length, for idle).</summary>
    public static ProcessCosts? Of(CpuUse? cpu, double scale)
    {
        if (cpu is null || cpu.Operations == 0)
        {
            return null;
        }

        double? Per(double? percent) => cpu.MicrosPerOperation(percent) is { } v ? Math.Round(v * scale, 1) : null;
        return new ProcessCosts(
            Per(cpu.LoadGeneratorPercent), [.. cpu.ServerPercent.Select(Per)], Per(cpu.ServersPercent), Per(cpu.RedisPercent),
            Per(cpu.LoadGeneratorPercent + cpu.ServersPercent + cpu.RedisPercent));
    }
}

/// <summary>GC pauses over a window: the nodes' added up (their longest, the longest of any), and the generator's.</summary>
internal sealed record GcRow(int? ServerPauses, double? ServerTotalMs, double? ServerLongestMs, int? GeneratorPauses, double? GeneratorTotalMs, double? GeneratorLongestMs)
{
    public static GcRow? Of(PhaseGc? gc)
    {
        if (gc is null)
        {
            return null;
        }

        var servers = gc.Servers.Count > 0 && gc.Servers.All(s => s is not null) ? gc.Servers.Select(s => s!).ToList() : null;
        return new GcRow(
            servers?.Sum(s => s.Pauses), servers?.Sum(s => s.TotalMs), servers?.Max(s => s.LongestMs),
            gc.LoadGenerator?.Pauses, gc.LoadGenerator?.TotalMs, gc.LoadGenerator?.LongestMs);
    }
}
