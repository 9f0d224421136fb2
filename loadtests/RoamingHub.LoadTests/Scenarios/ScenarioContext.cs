using System.Diagnostics;
using RoamingHub.LoadTests.Fleet;
using RoamingHub.LoadTests.Measurement;
using RoamingHub.LoadTests.Probes;
using RoamingHub.LoadTests.Reporting;

namespace RoamingHub.LoadTests.Scenarios;

/// <summary>What every scenario works with: the options, the progress log, the probes and the result it fills in.</summary>
internal sealed class ScenarioContext(LoadOptions options, TextWriter log, RedisProbe? redis, LoadResult result, CancellationToken cancellationToken)
{
    /// <summary>Sequential operations the round-trip probe runs per kind.</summary>
    private const int RoundTripSamples = 20;

    public LoadOptions Options { get; } = options;

    public TextWriter Log { get; } = log;

    public RedisProbe? Redis { get; } = redis;

    public LoadResult Result { get; } = result;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>Phase name of connecting the fleet: its CPU per connection is the cost of a connect.</summary>
    public const string ConnectPhase = "connect";

    /// <summary>Gets every token, then connects the fleet in a phase of its own, so its CPU is connecting's alone.</summary>
    public async Task<DeviceFleet> ConnectAsync(int users, int devicesPerUser, int? limit = null)
    {
        var fleet = await DeviceFleet.CreateAsync(Options, users, devicesPerUser, CancellationToken).ConfigureAwait(false);
        var phase = await BeginPhaseAsync(ConnectPhase).ConfigureAwait(false);
        await fleet.ConnectAsync(limit, Log, CancellationToken).ConfigureAwait(false);
        await EndPhaseAsync(phase, fleet.Connected).ConfigureAwait(false);
        return fleet;
    }

    /// <summary>Starts watching Redis commands and CPU for a phase.</summary>
    public async Task<Phase> BeginPhaseAsync(string name)
    {
        await Log.WriteLineAsync($"  phase {name}").ConfigureAwait(false);
        var calls = Redis is null ? null : await Redis.CommandCallsAsync().ConfigureAwait(false);
        return new Phase(name, calls, await CpuWatch.StartAsync(Options.ServerPids, Redis).ConfigureAwait(false));
    }

    /// <summary>Records the phase's Redis commands per operation and its CPU.</summary>
    public async Task EndPhaseAsync(Phase phase, long operations)
    {
        Result.Cpu[phase.Name] = await phase.Cpu.StopAsync().ConfigureAwait(false) with { Operations = operations };
        if (Redis is not null && phase.Calls is not null)
        {
            Result.RedisCost[phase.Name] = RedisProbe.Cost(phase.Calls, await Redis.CommandCallsAsync().ConfigureAwait(false), operations);
        }
    }

    /// <summary>Names the measured window of <paramref name="loop"/>, so its GC pauses are given apart from the warm-up's.</summary>
    public void RecordMeasuredWindow(string name, OpenLoop loop)
    {
        var now = Stopwatch.GetTimestamp();
        DateTime AtUtc(long timestamp) => DateTime.UtcNow - Stopwatch.GetElapsedTime(timestamp, now);
        Result.Windows[name] = new TimeWindow(AtUtc(loop.MeasuredFrom), AtUtc(loop.MeasuredTo));
    }

    /// <summary>Counts the top-level Redis commands of one operation kind with a few sequential calls.</summary>
    public async Task ProbeRoundTripsAsync(string name, Func<int, Task> operation)
    {
        if (Redis is null || !Options.RoundTripProbe)
        {
            return;
        }

        if (await RoundTripProbe.MeasureAsync(Redis.ConnectionString, RoundTripSamples, operation, CancellationToken).ConfigureAwait(false) is { } perOperation)
        {
            Result.RedisRoundTrips[name] = perOperation;
        }
    }

    /// <summary>Records how connecting went.</summary>
    public void RecordConnections(DeviceFleet fleet, long attempted) =>
        Result.Connections = new ConnectionFigures(
            attempted, fleet.Connected, fleet.ConnectErrors.Total, fleet.ConnectErrors.Snapshot(),
            fleet.All.Count(d => d.ClosedWith is not null), fleet.ConnectLatency.Summary())
        { Seconds = fleet.ConnectSeconds };

    /// <summary>Waits for operations in flight and pushes on their way, then checks every delivery.</summary>
    public async Task SettleAsync(OpenLoop loop, DeliveryLedger ledger, DeviceFleet fleet)
    {
        if (!await loop.WaitIdleAsync(Options.InvocationTimeout + TimeSpan.FromSeconds(2)).ConfigureAwait(false))
        {
            Result.Notes.Add($"{loop.InFlight} operations were still in flight after the invocation timeout.");
        }

        var devices = fleet.All.ToList();
        await ledger.DrainAsync(devices, Options.Drain).ConfigureAwait(false);
        var (figures, anomalies) = ledger.Figures(devices);
        Result.Deliveries.AddRange(figures);
        Result.Anomalies = anomalies;
        RecordDrops(devices);
    }

    /// <summary>Counts the connections that closed on their own, by reason.</summary>
    public void RecordDrops(IReadOnlyCollection<Device> devices)
    {
        var dropped = devices.Where(d => d.ClosedWith is not null).ToList();
        Result.Connections = Result.Connections! with
        {
            Dropped = dropped.Count,
            DropReasons = dropped
                .GroupBy(d => d.ClosedWith!.GetType().Name + ": " + d.ClosedWith.Message[..Math.Min(120, d.ClosedWith.Message.Length)], StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal),
        };
    }

    /// <summary>A phase under watch.</summary>
    internal sealed record Phase(string Name, IReadOnlyDictionary<string, long>? Calls, CpuWatch Cpu);
}
