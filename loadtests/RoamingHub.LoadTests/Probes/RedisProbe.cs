using System.Globalization;
using StackExchange.Redis;

namespace RoamingHub.LoadTests.Probes;

/// <summary>Reads the Redis the nodes use: <c>INFO commandstats</c> to count commands per operation, and its CPU.</summary>
internal sealed class RedisProbe : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _redis;

    private RedisProbe(ConnectionMultiplexer redis, string connectionString)
    {
        _redis = redis;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public IDatabase Database => _redis.GetDatabase();

    public static async Task<RedisProbe> ConnectAsync(string connectionString)
    {
        var configuration = ConfigurationOptions.Parse(connectionString);
        configuration.AllowAdmin = true;
        return new RedisProbe(await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false), connectionString);
    }

    /// <summary>Calls so far of every command, scripts' inner commands included, by lower-case name.</summary>
    public async Task<IReadOnlyDictionary<string, long>> CommandCallsAsync()
    {
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in (await InfoAsync("commandstats").ConfigureAwait(false)).Split('\n'))
        {
            // cmdstat_zadd:calls=12,usec=34,usec_per_call=2.83,rejected_calls=0,failed_calls=0
            if (!line.StartsWith("cmdstat_", StringComparison.Ordinal))
            {
                continue;
            }

            var colon = line.IndexOf(':');
            var name = line["cmdstat_".Length..colon];
            var field = line[(colon + 1)..].Split(',').First(f => f.StartsWith("calls=", StringComparison.Ordinal));
            calls[name] = long.Parse(field["calls=".Length..], CultureInfo.InvariantCulture);
        }

        return calls;
    }

    /// <summary>User plus system CPU time of the Redis server.</summary>
    public async Task<TimeSpan?> CpuTimeAsync()
    {
        double total = 0;
        var found = 0;
        foreach (var line in (await InfoAsync("cpu").ConfigureAwait(false)).Split('\n'))
        {
            var parts = line.Trim().Split(':');
            if (parts is ["used_cpu_sys" or "used_cpu_user", var value])
            {
                total += double.Parse(value, CultureInfo.InvariantCulture);
                found++;
            }
        }

        return found == 2 ? TimeSpan.FromSeconds(total) : null;
    }

    /// <summary>The slow log's newest entries, as Redis prints them.</summary>
    public async Task<IReadOnlyList<string>> SlowLogAsync(int count)
    {
        var result = await Database.ExecuteAsync("SLOWLOG", "GET", count).ConfigureAwait(false);
        return [.. ((RedisResult[])result!).Select(entry =>
        {
            var fields = (RedisResult[])entry!;
            var args = string.Join(' ', ((RedisResult[])fields[3]!).Take(4).Select(a => Printable(a.ToString())));
            return $"{(long)fields[2]} µs: {args}";
        })];
    }

    public async ValueTask DisposeAsync() => await _redis.DisposeAsync().ConfigureAwait(false);

    /// <summary>Arguments may be binary blobs: keep the readable start of each.</summary>
    private static string Printable(string value)
    {
        var text = new string([.. value.Select(c => c is >= ' ' and <= '~' ? c : '.')]);
        return text.Length <= 60 ? text : text[..60] + "…";
    }

    private async Task<string> InfoAsync(string section) =>
        (await Database.ExecuteAsync("INFO", section).ConfigureAwait(false)).ToString() ?? "";

    /// <summary>Commands per operation between two <see cref="CommandCallsAsync"/> snapshots.</summary>
    public static RedisCost Cost(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after, long operations)
    {
        var delta = after
            .Select(pair => (pair.Key, Calls: pair.Value - before.GetValueOrDefault(pair.Key)))
            .Where(pair => pair.Calls > 0 && pair.Key is not ("info" or "slowlog"))
            .OrderByDescending(pair => pair.Calls)
            .ToList();
        var total = delta.Sum(pair => pair.Calls);
        var scripts = delta.Where(pair => pair.Key is "evalsha" or "eval" or "fcall").Sum(pair => pair.Calls);
        double PerOperation(long calls) => operations == 0 ? 0 : Math.Round((double)calls / operations, 2);
        return new RedisCost(
            operations,
            total,
            PerOperation(total),
            PerOperation(scripts),
            delta.ToDictionary(pair => pair.Key, pair => PerOperation(pair.Calls), StringComparer.Ordinal));
    }
}

/// <summary>
/// What Redis did per operation of a phase: every command (a script's inner commands included, as commandstats counts
/// them), the script calls among them, and each command's share.
/// </summary>
internal sealed record RedisCost(long Operations, long Commands, double CommandsPerOperation, double ScriptCallsPerOperation, IReadOnlyDictionary<string, double> PerOperationByCommand);
