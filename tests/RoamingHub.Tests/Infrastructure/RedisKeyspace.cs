using StackExchange.Redis;

namespace RoamingHub.Tests.Infrastructure;

/// <summary>
/// What one test's key prefix holds on the shared redis-server: its keys, what they cost (<c>MEMORY USAGE</c>) and how
/// long they live. Tests share the server, so they measure their own prefix rather than the server's totals.
/// </summary>
public sealed class RedisKeyspace(string prefix)
{
    private static IDatabase Db => RedisServer.Instance.Multiplexer.GetDatabase();

    /// <summary>Keys starting with <paramref name="start"/> (the prefix and <c>:</c> when null), found with SCAN, which also drops expired ones.</summary>
    public async Task<List<string>> KeysAsync(string? start = null)
    {
        var server = RedisServer.Instance.Multiplexer.GetServer(RedisServer.Instance.ConnectionString);
        var keys = new List<string>();
        await foreach (var key in server.KeysAsync(pattern: (start ?? prefix + ":") + "*", pageSize: 1000))
        {
            keys.Add(key!);
        }

        return keys;
    }

    /// <summary>The keys of one user.</summary>
    public Task<List<string>> UserKeysAsync(string userId) => KeysAsync($"{prefix}:{{u:{userId}}}:");

    /// <summary>What Redis spends on <paramref name="keys"/>, in bytes, each key measured whole (<c>SAMPLES 0</c>).</summary>
    public static async Task<long> BytesAsync(IEnumerable<string> keys)
    {
        var sizes = await Task.WhenAll(keys.Select(key => Db.ExecuteAsync("MEMORY", "USAGE", key, "SAMPLES", "0")));
        return sizes.Where(size => !size.IsNull).Sum(size => (long)size);
    }

    /// <summary>Keys among <paramref name="keys"/> that have no expiry.</summary>
    public static async Task<List<string>> LastingAsync(IEnumerable<string> keys)
    {
        var list = keys.ToList();
        var ttls = await Task.WhenAll(list.Select(key => Db.ExecuteAsync("PTTL", key)));
        return [.. list.Where((_, i) => (long)ttls[i] == -1)];
    }

    /// <summary>Waits, by polling with SCAN, until no key starts with <paramref name="start"/>; false when they outlive <paramref name="patience"/>.</summary>
    public async Task<bool> GoneAsync(string start, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while ((await KeysAsync(start)).Count > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(250);
        }

        return true;
    }
}
