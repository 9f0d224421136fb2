using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace RoamingHub.LoadTests.Probes;

/// <summary>
/// The physical limit beside our figures: <c>redis-benchmark</c> against the same Redis for the single commands the
/// hot paths are built on (ZADD, and ZREVRANGE of 20 with scores), so each operation can be read as a share of what
/// Redis alone does on this machine.
/// </summary>
internal static partial class RedisBenchmark
{
    private const int Requests = 200_000;
    private const int Clients = 50;

    /// <summary>Null when <c>redis-benchmark</c> is not on PATH.</summary>
    public static async Task<RedisBaseline?> RunAsync(RedisProbe redis, string runId, TextWriter log, CancellationToken cancellationToken)
    {
        if (FindOnPath("redis-benchmark") is not { } executable)
        {
            await log.WriteLineAsync("  redis-benchmark is not on PATH: no Redis baseline").ConfigureAwait(false);
            return null;
        }

        var (host, port) = LoadOptions.RedisHost(redis.ConnectionString);
        string[] target = ["-h", host, "-p", port.ToString(CultureInfo.InvariantCulture), "-n", Requests.ToString(CultureInfo.InvariantCulture), "-c", Clients.ToString(CultureInfo.InvariantCulture), "-q"];

        // -t zadd writes to the key "myzset"; it is removed afterwards so the run leaves nothing behind.
        var zadd = await RunOneAsync(executable, [.. target, "-t", "zadd"], cancellationToken).ConfigureAwait(false);
        await redis.Database.KeyDeleteAsync("myzset").ConfigureAwait(false);

        var key = $"{runId}:bench:zset";
        await redis.Database.SortedSetAddAsync(key, [.. Enumerable.Range(0, 100).Select(i => new StackExchange.Redis.SortedSetEntry($"member{i}", i))]).ConfigureAwait(false);
        var zrevrange = await RunOneAsync(executable, [.. target, "zrevrange", key, "0", "19", "withscores"], cancellationToken).ConfigureAwait(false);
        await redis.Database.KeyDeleteAsync(key).ConfigureAwait(false);

        var baseline = new RedisBaseline(Requests, Clients, zadd, zrevrange);
        await log.WriteLineAsync($"  redis-benchmark: ZADD {zadd:F0}/s, ZREVRANGE 0 19 WITHSCORES {zrevrange:F0}/s ({Clients} clients, {Requests} requests each)").ConfigureAwait(false);
        return baseline;
    }

    private static async Task<double> RunOneAsync(string executable, string[] arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("redis-benchmark did not start.");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        // With -q each test ends its line with "NAME: 123456.79 requests per second[, p50=… msec]"; progress
        // updates before it are separated by carriage returns.
        var text = await output.ConfigureAwait(false) + await errors.ConfigureAwait(false);
        var match = RequestsPerSecond().Matches(text).LastOrDefault()
            ?? throw new InvalidOperationException($"redis-benchmark printed no rate: {text.Trim()}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);

    [GeneratedRegex(@"([0-9]+(?:\.[0-9]+)?) requests per second")]
    private static partial Regex RequestsPerSecond();
}

/// <summary>Operations per second Redis alone reaches on this machine for the commands our hot paths build on.</summary>
internal sealed record RedisBaseline(int Requests, int Clients, double ZaddPerSecond, double ZrevrangeWithScores20PerSecond);
