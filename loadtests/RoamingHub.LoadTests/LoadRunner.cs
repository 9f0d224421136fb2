using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using RoamingHub.LoadTests.Probes;
using RoamingHub.LoadTests.Reporting;
using RoamingHub.LoadTests.Scenarios;

namespace RoamingHub.LoadTests;

/// <summary>Runs one scenario against running nodes and returns what it measured; the console and the smoke tests both call it.</summary>
internal static class LoadRunner
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public static async Task<LoadResult> RunAsync(LoadOptions requested, TextWriter log, CancellationToken cancellationToken = default)
    {
        var options = requested.ForScenario();
        var result = new LoadResult
        {
            Scenario = Name(options.Scenario),
            Target = Name(options.Target),
            RunId = options.RunId,
            StartedAt = DateTimeOffset.UtcNow,
            Machine = MachineInfo.Current(),
            Shape = new RunShape(
                options.Nodes.Count, options.Scenario == LoadScenario.Connections ? options.Connections : options.Users, options.DevicesPerUser,
                options.Rate, options.WarmUp.TotalSeconds, options.Duration.TotalSeconds, options.BodyBytes,
                options.ConversationsPerUser, options.MessagesPerConversation, options.ConversationsRate, options.HistoryRate),
        };
        await log.WriteLineAsync($"{result.Scenario}: run {options.RunId} against {string.Join(", ", options.Nodes)}").ConfigureAwait(false);

        var started = Stopwatch.GetTimestamp();
        await using var redis = options.Redis is null ? null : await RedisProbe.ConnectAsync(options.Redis).ConfigureAwait(false);
        if (redis is not null)
        {
            await redis.Database.ExecuteAsync("SLOWLOG", "RESET").ConfigureAwait(false);
        }

        // Watched from the start, sorted into phases at the end: the generator always, the nodes when they can be.
        var generatorGc = options.GcProbes ? GcSource.ThisProcess() : null;
        IReadOnlyList<GcSource> serverGc = !options.GcProbes ? []
            : options.Target == LoadTarget.SocketIo ? [.. options.Nodes.Select(GcSource.PeerNode)]
            : [.. options.ServerPids.Select(GcSource.DotNetProcess)];
        var context = new ScenarioContext(options, log, redis, result, cancellationToken);
        await (options.Scenario switch
        {
            LoadScenario.Connections => ConnectionsScenario.RunAsync(context),
            LoadScenario.PinFanout => PinFanoutScenario.RunAsync(context),
            LoadScenario.Messages => MessagesScenario.RunAsync(context),
            LoadScenario.Fetch => FetchScenario.RunAsync(context),
            LoadScenario.Mixed => MixedScenario.RunAsync(context),
            LoadScenario.GroupMessages => GroupMessagesScenario.RunAsync(context),
            _ => throw new ArgumentOutOfRangeException(nameof(requested)),
        }).ConfigureAwait(false);
        result.Seconds = Math.Round(Stopwatch.GetElapsedTime(started).TotalSeconds, 1);
        if (generatorGc is not null)
        {
            await RecordGcAsync(result, generatorGc, serverGc).ConfigureAwait(false);
        }

        if (redis is not null)
        {
            result.Notes.AddRange((await redis.SlowLogAsync(5).ConfigureAwait(false)).Select(entry => "Redis SLOWLOG: " + entry));
            if (options.RedisBenchmark)
            {
                result.RedisBaseline = await RedisBenchmark.RunAsync(redis, options.RunId, log, cancellationToken).ConfigureAwait(false);
                AddRatios(result);
            }
        }

        result.Targets.AddRange(Targets.Check(result, options));
        result.Summary = RunSummary.Of(result);
        if (options.OutputPath is { } path)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(result, Json), cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    public static string Name(LoadScenario scenario) => JsonNamingPolicy.KebabCaseLower.ConvertName(scenario.ToString());

    public static string Name(LoadTarget target) => target.ToString().ToLowerInvariant();

    /// <summary>Stops every GC watch and gives each phase the pauses of each process that began inside it.</summary>
    private static async Task RecordGcAsync(LoadResult result, GcSource generator, IReadOnlyList<GcSource> servers)
    {
        var generatorPauses = await generator.StopAsync().ConfigureAwait(false);
        var serverPauses = new List<IReadOnlyList<GcPause>?>();
        foreach (var server in servers)
        {
            serverPauses.Add(await server.StopAsync().ConfigureAwait(false));
        }

        foreach (var failure in servers.Prepend(generator).Select(s => s.Failure ?? s.CrossCheck).OfType<string>())
        {
            result.Notes.Add("GC pauses: " + failure);
        }

        var windows = result.Cpu.Select(pair => (pair.Key, new TimeWindow(pair.Value.FromUtc, pair.Value.ToUtc)))
            .Concat(result.Windows.Select(pair => (pair.Key, pair.Value)));
        foreach (var (name, window) in windows)
        {
            result.Gc[name] = new PhaseGc(
                GcFigures.Of(generatorPauses, window.FromUtc, window.ToUtc),
                [.. serverPauses.Select(pauses => GcFigures.Of(pauses, window.FromUtc, window.ToUtc))]);
        }
    }

    /// <summary>Each operation's rate and Redis cost set against the one Redis command it is built on.</summary>
    private static void AddRatios(LoadResult result)
    {
        if (result.RedisBaseline is not { } baseline)
        {
            return;
        }

        foreach (var operation in result.Operations)
        {
            var (name, perSecond) = operation.Name switch
            {
                PinFanoutScenario.Operation or MessagesScenario.Operation => ("ZADD", baseline.ZaddPerSecond),
                FetchScenario.Conversations or FetchScenario.History => ("ZREVRANGE 0 19 WITHSCORES", baseline.ZrevrangeWithScores20PerSecond),
                _ => ("", 0),
            };
            if (perSecond <= 0 || operation.ThroughputPerSecond <= 0)
            {
                continue;
            }

            var commands = result.RedisCost.GetValueOrDefault(operation.Name)?.CommandsPerOperation ?? 0;
            result.RedisRatios.Add(new RedisRatio(
                operation.Name, name, operation.ThroughputPerSecond, perSecond, Math.Round(operation.ThroughputPerSecond / perSecond, 4),
                commands, result.RedisRoundTrips.TryGetValue(operation.Name, out var topLevel) ? topLevel : null));
        }
    }
}
