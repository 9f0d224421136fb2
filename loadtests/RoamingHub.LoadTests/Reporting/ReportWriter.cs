using System.Globalization;
using RoamingHub.LoadTests.Probes;

namespace RoamingHub.LoadTests.Reporting;

/// <summary>Prints a <see cref="LoadResult"/> as plain-text tables.</summary>
internal static class ReportWriter
{
    public static void Write(LoadResult result, TextWriter output)
    {
        var shape = result.Shape;
        output.WriteLine();
        output.WriteLine($"== {result.Scenario} against {result.Target} · run {result.RunId} · {result.Seconds:F0} s · {result.Machine.Cores} cores, {result.Machine.MemoryMiB / 1024.0:F1} GiB · .NET {result.Machine.Runtime}");
        output.WriteLine($"   {shape.Users} {(result.Scenario == "connections" ? "connections" : "users")} × {shape.DevicesPerUser} device(s) on {shape.Nodes} node(s); warm-up {shape.WarmUpSeconds} s, measured {shape.DurationSeconds} s");

        if (result.Connections is { } c)
        {
            output.WriteLine();
            Table(output, ["connections", "attempted", "opened", "failed", "dropped", "all open after s", "p50 ms", "p99 ms", "max ms"],
                [["connect", N(c.Attempted), N(c.Opened), N(c.Failed), N(c.Dropped), F(c.Seconds), F(c.ConnectLatency.P50), F(c.ConnectLatency.P99), F(c.ConnectLatency.Max)]]);
            if (c.FailuresByCode.Count > 0)
            {
                Codes(output, c.FailuresByCode);
            }

            foreach (var (reason, count) in c.DropReasons)
            {
                output.WriteLine($"   dropped {count}: {reason}");
            }
        }

        if (result.Memory is { } m)
        {
            output.WriteLine($"   server working set: {m.ServerBeforeKiB} KiB before, {m.ServerAfterConnectKiB} KiB with {m.Connections} connections ({m.PerConnectionKiB:F1} KiB each), {m.ServerAfterHoldKiB?.ToString(CultureInfo.InvariantCulture) ?? "?"} KiB after the hold; load generator {m.LoadGeneratorKiB} KiB");
        }

        if (result.Operations.Count > 0)
        {
            output.WriteLine();
            Table(output, ["operation", "offered/s", "started", "ok", "failed", "done/s", "p50 ms", "p95 ms", "p99 ms", "p99.9 ms", "max ms", "start lag p50/p99/max ms"],
                [.. result.Operations.Select(o => new[]
                {
                    o.Name, F(o.OfferedPerSecond), N(o.Started), N(o.Succeeded), N(o.Failed), F(o.ThroughputPerSecond),
                    F(o.Latency.P50), F(o.Latency.P95), F(o.Latency.P99), F(o.Latency.P999), F(o.Latency.Max), $"{F(o.StartLag.P50)} / {F(o.StartLag.P99)} / {F(o.StartLag.Max)}",
                })]);
            foreach (var o in result.Operations.Where(o => o.ErrorsByCode.Count > 0))
            {
                output.Write($"   {o.Name} ");
                Codes(output, o.ErrorsByCode);
            }
        }

        if (result.Deliveries.Count > 0)
        {
            output.WriteLine();
            Table(output, ["delivery", "expected", "received", "lost", "duplicated", "p50 ms", "p95 ms", "p99 ms", "p99.9 ms", "max ms"],
                [.. result.Deliveries.Select(d => new[]
                {
                    d.Name, N(d.Expected), N(d.Received), N(d.Lost), N(d.Duplicated),
                    F(d.Latency.P50), F(d.Latency.P95), F(d.Latency.P99), F(d.Latency.P999), F(d.Latency.Max),
                })]);
            if (result.Anomalies is { } a)
            {
                output.WriteLine($"   whole fleet: {a.Unexpected} unexpected pushes, {a.RecoveredByClient} events recovered by the client through SyncEvents, {a.DroppedByClient} duplicates dropped by the client");
            }
        }

        if (result.RedisCost.Count > 0)
        {
            output.WriteLine();
            Table(output, ["Redis per operation", "operations", "commands/op", "scripts/op", "top-level/op", "top commands per op"],
                [.. result.RedisCost.Select(pair => new[]
                {
                    pair.Key, N(pair.Value.Operations), F(pair.Value.CommandsPerOperation), F(pair.Value.ScriptCallsPerOperation),
                    result.RedisRoundTrips.TryGetValue(pair.Key, out var rt) ? F(rt) : "",
                    string.Join(" ", pair.Value.PerOperationByCommand.Take(6).Select(c => $"{c.Key}={c.Value.ToString("0.##", CultureInfo.InvariantCulture)}")),
                })]);
        }

        if (result.Cpu.Count > 0)
        {
            output.WriteLine();
            // CPU time per operation (warm-up included, like the operation count) shows what one operation costs each
            // process, so the rate the machine's cores could carry follows from it. A connect phase counts
            // connections, an idle phase the connections held.
            Table(output, ["CPU (% of one core)", "seconds", "operations", "load generator", "server(s)", "redis", "other processes", "µs/op: generator", "server(s)", "redis", "all"],
                [.. result.Cpu.Select(pair =>
                {
                    var cpu = pair.Value;
                    string PerOp(double? percent) => cpu.MicrosPerOperation(percent) is { } v ? F(v) : "";
                    return new[]
                    {
                        pair.Key, F(cpu.Seconds), N(cpu.Operations), F(cpu.LoadGeneratorPercent),
                        string.Join(" + ", cpu.ServerPercent.Select(p => p is { } v ? F(v) : "?")), cpu.RedisPercent is { } r ? F(r) : "?",
                        cpu.OthersPercent is { } o ? F(o) : "?", PerOp(cpu.LoadGeneratorPercent), PerOp(cpu.ServersPercent), PerOp(cpu.RedisPercent),
                        PerOp(cpu.LoadGeneratorPercent + cpu.ServersPercent + cpu.RedisPercent),
                    };
                })]);
        }

        if (result.Gc.Count > 0)
        {
            output.WriteLine();
            static string Gc(GcFigures? gc) => gc is null ? "?" : $"{gc.Pauses} / {F(gc.TotalMs)} / {F(gc.LongestMs)}";
            Table(output, ["GC pauses: count / total ms / longest ms", "load generator", "server(s)"],
                [.. result.Gc.Select(pair => new[] { pair.Key, Gc(pair.Value.LoadGenerator), string.Join(" + ", pair.Value.Servers.Select(Gc)) })]);
        }

        if (result.RedisBaseline is { } baseline)
        {
            output.WriteLine();
            output.WriteLine($"   redis-benchmark ({baseline.Clients} clients): ZADD {baseline.ZaddPerSecond:#,0}/s, ZREVRANGE 0 19 WITHSCORES {baseline.ZrevrangeWithScores20PerSecond:#,0}/s");
            if (result.RedisRatios.Count > 0)
            {
                Table(output, ["vs redis-benchmark", "ours/s", "baseline", "baseline/s", "ours ÷ baseline", "Redis commands/op", "top-level/op"],
                    [.. result.RedisRatios.Select(r => new[]
                    {
                        r.Operation, F(r.OursPerSecond), r.Baseline, F(r.BaselinePerSecond), r.Share.ToString("P2", CultureInfo.InvariantCulture),
                        F(r.CommandsPerOperation), r.TopLevelCommandsPerOperation is { } t ? F(t) : "",
                    })]);
            }
        }

        if (result.Targets.Count > 0)
        {
            output.WriteLine();
            Table(output, ["target", "wanted", "measured", "verdict"],
                [.. result.Targets.Select(t => new[] { t.Name, t.Target, t.Measured, (t.Met ? "met" : "MISSED") + (t.AtTargetLoad ? "" : " (below target load)") })]);
        }

        foreach (var note in result.Notes)
        {
            output.WriteLine($"   note: {note}");
        }

        output.WriteLine();
        output.WriteLine($"   errors {result.Errors}, lost {result.Lost}, duplicated {result.Duplicated}");
    }

    private static void Codes(TextWriter output, IReadOnlyDictionary<string, long> codes) =>
        output.WriteLine("   errors by code: " + string.Join(", ", codes.Select(pair => $"{pair.Key} {pair.Value}")));

    private static void Table(TextWriter output, string[] header, IReadOnlyList<string[]> rows)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        void Row(string[] cells) => output.WriteLine("   " + string.Join("  ", cells.Select((cell, i) => i == 0 ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]))).TrimEnd());
        Row(header);
        foreach (var row in rows)
        {
            Row(row);
        }
    }

    private static string N(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    private static string F(double value) => value.ToString(value >= 100 ? "#,0" : "0.###", CultureInfo.InvariantCulture);
}
