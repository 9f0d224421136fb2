using System.Diagnostics;
using RoamingHub.LoadTests.Measurement;
using RoamingHub.LoadTests.Probes;
using RoamingHub.LoadTests.Reporting;

namespace RoamingHub.LoadTests.Scenarios;

/// <summary>
/// Opens N authenticated connections with a ramp and holds them: connect failures, drops during the hold, a final
/// <c>GetSyncState</c> on every connection to show each still works, and the server's memory per connection.
/// </summary>
internal static class ConnectionsScenario
{
    /// <summary>Lets the server finish connect work (and the runtime settle its heaps) before reading memory.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);

    public static async Task RunAsync(ScenarioContext context)
    {
        var options = context.Options;
        var users = (options.Connections + options.DevicesPerUser - 1) / options.DevicesPerUser;
        var before = ProcessProbe.ResidentKiB(options.ServerPids);

        await using var fleet = await context.ConnectAsync(users, options.DevicesPerUser, options.Connections).ConfigureAwait(false);
        context.RecordConnections(fleet, options.Connections);
        await context.Log.WriteLineAsync($"  {fleet.Connected} of {options.Connections} connected; holding for {options.Duration}").ConfigureAwait(false);

        await Task.Delay(Settle, context.CancellationToken).ConfigureAwait(false);
        var afterConnect = ProcessProbe.ResidentKiB(options.ServerPids);

        var hold = await context.BeginPhaseAsync("hold").ConfigureAwait(false);
        var holdEnd = Stopwatch.GetTimestamp() + (long)(options.Duration.TotalSeconds * Stopwatch.Frequency);
        var nextReport = Stopwatch.GetTimestamp();
        while (Stopwatch.GetTimestamp() < holdEnd)
        {
            if (Stopwatch.GetTimestamp() >= nextReport)
            {
                var open = fleet.All.Count(d => d.IsConnected);
                await context.Log.WriteLineAsync($"  … {open} open, server {ProcessProbe.ResidentKiB(options.ServerPids)?.ToString() ?? "?"} KiB").ConfigureAwait(false);
                nextReport += Stopwatch.Frequency * 30;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), context.CancellationToken).ConfigureAwait(false);
        }

        await context.EndPhaseAsync(hold, fleet.Connected).ConfigureAwait(false);
        var afterHold = ProcessProbe.ResidentKiB(options.ServerPids);

        // Every held connection answers one call, at twice the ramp rate: a connection that looks open but no longer
        // works counts as a failure too.
        var devices = fleet.All.ToList();
        var liveness = new OperationStats("GetSyncState after hold");
        var loop = new OpenLoop(liveness.Errors, options.MaxInFlight);
        await loop.RunAsync(options.RampRate * 2, TimeSpan.Zero, TimeSpan.FromSeconds(devices.Count / (options.RampRate * 2)) + TimeSpan.FromSeconds(1), devices.Count, scheduled =>
        {
            var device = devices[(int)scheduled.Index];
            return liveness.TrackAsync(scheduled, () => device.Client.GetSyncStateAsync());
        }, context.CancellationToken).ConfigureAwait(false);
        await loop.WaitIdleAsync(options.InvocationTimeout + TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        context.Result.Operations.Add(liveness.Figures(loop, options.RampRate * 2));
        context.RecordDrops(devices);

        if (before is { } b && afterConnect is { } a && fleet.Connected > 0)
        {
            context.Result.Memory = new MemoryFigures(
                b, a, afterHold, fleet.Connected, Math.Round((double)(a - b) / fleet.Connected, 1),
                ProcessProbe.ResidentKiB(Environment.ProcessId) ?? 0);
        }
    }
}
