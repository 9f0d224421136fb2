using System.Globalization;
using System.Text.Json;

namespace RoamingHub.LoadTests.Reporting;

/// <summary>
/// Sets pin-fanout runs against RoamingHub beside runs against the Socket.IO peer: for each figure, the median of each
/// target's runs and their range [min–max], as a Markdown table (docs/benchmarks.md takes it as printed). Ranges, not
/// best runs: on a shared machine the spread between identical runs is part of the answer.
/// </summary>
internal static class SideBySide
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly (string Target, string Title)[] Columns = [("roaminghub", "RoamingHub"), ("floor", "bare SignalR (floor)"), ("socketio", "Socket.IO peer")];

    /// <summary>Reads the runs' JSON files, prints the table; 1 when a run lost, duplicated or failed anything, or read nothing.</summary>
    public static async Task<int> CompareFilesAsync(IReadOnlyList<string> paths, TextWriter output)
    {
        var runs = new List<RunSummary>();
        foreach (var path in paths)
        {
            await using var file = File.OpenRead(path);
            var saved = await JsonSerializer.DeserializeAsync<SavedRun>(file, Json).ConfigureAwait(false);
            runs.Add(saved?.Summary ?? throw new InvalidDataException($"{path} holds no run summary: is it a pin-fanout result of this generator?"));
        }

        Write(runs, output);
        return runs.Count > 0 && runs.All(r => r.Lost + r.Duplicated + r.Errors == 0) ? 0 : 1;
    }

    public static void Write(IReadOnlyList<RunSummary> runs, TextWriter output)
    {
        var columns = Columns.Select(c => (c.Title, Runs: runs.Where(r => r.Target == c.Target).ToList())).Where(c => c.Runs.Count > 0).ToList();
        if (columns.Count == 0)
        {
            output.WriteLine("no runs to compare");
            return;
        }

        var shapes = runs.Select(r => $"{r.Nodes} node(s), {r.Users:#,0} users × {r.DevicesPerUser} devices, {r.Rate:#,0} pins/s, warm-up {r.WarmUpSeconds:0.#} s, measured {r.DurationSeconds:0.#} s").Distinct().ToList();
        output.WriteLine($"pin-fanout side by side: {string.Join("; ", shapes)}{(shapes.Count > 1 ? " (the runs differ in shape!)" : "")}");
        output.WriteLine();
        output.WriteLine("| median [min–max] | " + string.Join(" | ", columns.Select(c => $"{c.Title} ({c.Runs.Count} runs)")) + " |");
        output.WriteLine("| --- |" + string.Concat(columns.Select(_ => " --- |")));

        void Row(string name, Func<RunSummary, double?> figure)
        {
            var cells = columns.Select(c => Cell([.. c.Runs.Select(figure).OfType<double>()])).ToList();
            if (cells.Any(c => c != "—"))
            {
                output.WriteLine($"| {name} | {string.Join(" | ", cells)} |");
            }
        }

        Row("event p50 ms", r => r.Event?.P50);
        Row("event p95 ms", r => r.Event?.P95);
        Row("event p99 ms", r => r.Event?.P99);
        Row("event p99.9 ms", r => r.Event?.P999);
        Row("event max ms", r => r.Event?.Max);
        Row("ack p99 ms", r => r.Ack?.P99);
        Row("events expected", r => r.EventsExpected);
        Row("lost + duplicated + errors", r => r.Lost + r.Duplicated + r.Errors);
        Row("connections open", r => r.Connections);
        Row("connect: all open after s", r => r.ConnectSeconds);
        Row("connect p99 ms", r => r.ConnectP99Ms);
        Costs("CPU µs per pin", r => r.PerPin, all: true);
        Costs("CPU µs per connect", r => r.PerConnect, all: false);
        Costs("CPU µs per idle connection per 30 s", r => r.PerIdleConnection30s, all: false);
        Row("GC, measured window: node pauses", r => r.GcMeasured?.ServerPauses);
        Row("GC, measured window: node pause total ms", r => r.GcMeasured?.ServerTotalMs);
        Row("GC, measured window: node longest pause ms", r => r.GcMeasured?.ServerLongestMs);
        Row("GC, measured window: node pause µs per pin", r => r.GcMeasured?.ServerTotalMs * 1000 / (r.Rate * r.DurationSeconds));
        Row("GC, measured window: generator pauses", r => r.GcMeasured?.GeneratorPauses);
        Row("GC, measured window: generator longest pause ms", r => r.GcMeasured?.GeneratorLongestMs);
        Row("GC, connecting: node pauses", r => r.GcConnect?.ServerPauses);
        Row("GC, connecting: node longest pause ms", r => r.GcConnect?.ServerLongestMs);
        Row("GC, connecting: generator longest pause ms", r => r.GcConnect?.GeneratorLongestMs);
        Row("load average at start", r => r.LoadAverage);
        Row("other processes' CPU during the pins, % of one core", r => r.OthersCpuPercent);

        void Costs(string name, Func<RunSummary, ProcessCosts?> costs, bool all)
        {
            Row($"{name}: generator", r => costs(r)?.Generator);
            var nodes = runs.Max(r => costs(r)?.Nodes.Count ?? 0);
            for (var n = 0; n < nodes && nodes > 1; n++)
            {
                var index = n;
                Row($"{name}: node {n + 1}", r => costs(r)?.Nodes.ElementAtOrDefault(index));
            }

            Row($"{name}: nodes together", r => costs(r)?.Servers);
            Row($"{name}: Redis", r => costs(r)?.Redis);
            if (all)
            {
                Row($"{name}: all processes", r => costs(r)?.All);
            }
        }
    }

    /// <summary>"median [min–max]", or the one value of a single run; "—" for none.</summary>
    internal static string Cell(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return "—";
        }

        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        var median = sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return sorted.Count == 1 ? Number(median) : $"{Number(median)} [{Number(sorted[0])}–{Number(sorted[^1])}]";
    }

    private static string Number(double value) =>
        value.ToString(Math.Abs(value) >= 100 || value == Math.Round(value) ? "#,0" : Math.Abs(value) >= 10 ? "0.0" : "0.00", CultureInfo.InvariantCulture);

    private sealed record SavedRun(RunSummary? Summary);
}
