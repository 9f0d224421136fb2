using RoamingHub.Server.Settings;
using RoamingHub.Server.Storage.Redis.Scripts;
using RoamingHub.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace RoamingHub.Tests.Storage;

/// <summary>
/// Every script either changes nothing or everything: Redis keeps what a script wrote before an error, so each script
/// makes every check that can fail before its first write. For each store call, the scripts it runs are recorded on
/// a realistic state (<c>RedisAllOrNothingTests.State.cs</c>), then each is run again on that state damaged one way
/// at a time: each of its keys given another type, each value stored in them malformed, each of its arguments
/// malformed. Whenever the script fails, no key may differ from before (value and expiry); a malformed argument must
/// fail naming the argument. A redis-server of the class's own holds only the state, so a snapshot is every key.
/// </summary>
public sealed partial class RedisAllOrNothingTests(RedisAllOrNothingTests.Server server, ITestOutputHelper output)
    : IClassFixture<RedisAllOrNothingTests.Server>
{
    private const string Damaged = "damaged";

    /// <summary>Most fields of one hash malformed in turn.</summary>
    private const int FieldsPerHash = 12;

    private IDatabase Db => server.Connection.GetDatabase();

    public static TheoryData<string> Calls() => [.. Operations.Keys];

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task Each_script_of_a_call_fails_before_writing_or_runs_whole(string call)
    {
        await Db.ExecuteAsync("FLUSHDB");
        var options = new RoamingOptions { RedisKeyPrefix = TestIds.Prefix(), MaxConversationsPerUser = 4, MaxPinnedConversations = 2, RecallWindow = TimeSpan.FromHours(1) };
        await BuildStateAsync(Stores.Redis(server.Connection, options));
        var state = await SnapshotAsync();
        var recorded = new List<RecordedScript>();
        await Operations[call](Stores.Redis(ScriptRecorder.Wrap(server.Connection, recorded), options));
        Assert.NotEmpty(recorded);

        var (runs, failures, violations) = (0, 0, new List<string>());
        foreach (var script in recorded)
        {
            var name = RedisScript.All.Single(s => s.Hash.AsSpan().SequenceEqual(script.Hash)).Name;
            foreach (var damage in Damages(script, state))
            {
                await RestoreAsync(state);
                await damage.Apply(Db);
                var before = await SnapshotAsync();
                runs++;
                try
                {
                    await Db.ScriptEvaluateAsync(script.Hash, script.Keys, damage.Values ?? script.Values);
                    continue;
                }
                catch (RedisServerException ex)
                {
                    failures++;
                    var changed = Changed(before, await SnapshotAsync());
                    if (changed.Count > 0)
                    {
                        violations.Add($"{name}, {damage.What}: failed ({ex.Message}) after writing {string.Join(", ", changed)}");
                    }
                    else if (damage.Values is not null && !ex.Message.Contains("argument", StringComparison.Ordinal))
                    {
                        violations.Add($"{name}, {damage.What}: failed without naming its input ({ex.Message})");
                    }
                }
            }
        }

        output.WriteLine($"{call}: {recorded.Count} scripts, {runs} damaged runs, {failures} failed, {violations.Count} not whole");
        Assert.True(failures > 0, "some damage made a script fail");
        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    /// <summary>One way of damaging the state or the call: what it is, what it writes first, and the arguments to call with (null: the recorded ones).</summary>
    private sealed record Damage(string What, Func<IDatabase, Task> Apply, RedisValue[]? Values = null);

    private static IEnumerable<Damage> Damages(RecordedScript script, IReadOnlyDictionary<string, Entry> state)
    {
        foreach (var key in script.Keys.Select(k => (string)k!).Distinct())
        {
            var name = Short(key);
            yield return new Damage($"{name} of another type", async db =>
            {
                await db.KeyDeleteAsync(key);
                await db.ListRightPushAsync(key, Damaged);
            });
            if (!state.TryGetValue(key, out var entry))
            {
                continue;
            }

            switch (entry.Type)
            {
                case "string":
                    yield return new Damage($"{name} malformed", db => db.ExecuteAsync("SET", key, Damaged, "KEEPTTL"));
                    break;
                case "hash":
                    foreach (var field in entry.Fields.Take(FieldsPerHash))
                    {
                        yield return new Damage($"{name} field {field} malformed", db => db.HashSetAsync(key, field, Damaged));
                    }

                    break;
                case "zset":
                    yield return new Damage($"{name} with a malformed member first", db => db.SortedSetAddAsync(key, Damaged, 0));
                    break;
            }
        }

        for (var i = 0; i < script.Values.Length; i++)
        {
            var values = (RedisValue[])script.Values.Clone();
            values[i] = Damaged;
            yield return new Damage($"argument {i + 1} malformed", _ => Task.CompletedTask, values);
        }
    }

    /// <summary>A key as a reader names it: without the test's prefix.</summary>
    private static string Short(string key) => key[(key.IndexOf(':', StringComparison.Ordinal) + 1)..];

    /// <summary>A key as the snapshot keeps it: its type, its value as <c>DUMP</c> writes it, its expiry (Unix ms, -1 for none) and, for a hash, its fields.</summary>
    private sealed record Entry(string Type, byte[] Dump, long ExpireAt, IReadOnlyList<string> Fields);

    private async Task<Dictionary<string, Entry>> SnapshotAsync()
    {
        var keys = ((RedisResult[])(await Db.ExecuteAsync("KEYS", "*"))!).Select(k => (string)k!).ToList();
        var entries = await Task.WhenAll(keys.Select(ReadAsync));
        return keys.Zip(entries).ToDictionary(pair => pair.First, pair => pair.Second, StringComparer.Ordinal);
    }

    private async Task<Entry> ReadAsync(string key)
    {
        // Sent together, and every key at once, so a snapshot costs about two round trips.
        var type = Db.KeyTypeAsync(key);
        var dump = Db.KeyDumpAsync(key);
        var expireAt = Db.ExecuteAsync("PEXPIRETIME", key);
        var name = (await type).ToString().ToLowerInvariant();
        var fields = name == "hash" ? (await Db.HashKeysAsync(key)).Select(f => (string)f!).ToList() : [];
        return new Entry(name == "sortedset" ? "zset" : name, (await dump)!, (long)await expireAt, fields);
    }

    private async Task RestoreAsync(IReadOnlyDictionary<string, Entry> state)
    {
        await Db.ExecuteAsync("FLUSHDB");
        await Task.WhenAll(state.Select(pair =>
            Db.ExecuteAsync("RESTORE", pair.Key, pair.Value.ExpireAt > 0 ? pair.Value.ExpireAt : 0, pair.Value.Dump, "ABSTTL")));
    }

    private static List<string> Changed(IReadOnlyDictionary<string, Entry> before, IReadOnlyDictionary<string, Entry> after) =>
    [
        .. before.Keys.Union(after.Keys).Where(key =>
            !before.TryGetValue(key, out var was) || !after.TryGetValue(key, out var now)
            || was.ExpireAt != now.ExpireAt || !was.Dump.AsSpan().SequenceEqual(now.Dump)).Select(Short).Order(StringComparer.Ordinal),
    ];

    /// <summary>A redis-server of this class's own, every script loaded, so each call is an <c>EVALSHA</c> the recorder sees.</summary>
    public sealed class Server : IDisposable
    {
        private readonly RedisServer _redis = RedisServer.StartDedicated(durable: false);

        public Server()
        {
            Connection = ConnectionMultiplexer.Connect(_redis.ConnectionString + ",allowAdmin=true");
            RedisScriptPreloader.LoadEverywhereAsync(Connection).GetAwaiter().GetResult();
        }

        public ConnectionMultiplexer Connection { get; }

        public void Dispose()
        {
            Connection.Dispose();
            _redis.Dispose();
        }
    }
}
