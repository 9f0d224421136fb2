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

        var context = new ScenarioContext(options, log, redis, result, cancellationToken);
        await (options.Scenario switch
        {
            LoadScenario.Connections => ConnectionsScenario.RunAsync(context),
            LoadScenario.PinFanout => PinFanoutScenario.RunAsync(context),
            LoadScenario.Messages => MessagesScenario.RunAsync(context),
            LoadScenario.Fetch => FetchScenario.RunAsync(context),
            LoadScenario.Mixed => MixedScenario.RunAsync(context),
            _ => throw new ArgumentOutOfRangeException(nameof(requested)),
        }).ConfigureAwait(false);
        result.Seconds = Math.Round(Stopwatch.GetElapsedTime(started).TotalSeconds, 1);

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
        if (options.OutputPath is { } path)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(result, Json), cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    public static string Name(LoadScenario scenario) => JsonNamingPolicy.KebabCaseLower.ConvertName(scenario.ToString());

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
