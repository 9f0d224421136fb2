using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using RoamingHub.Server.Diagnostics;
using StackExchange.Redis;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>
/// One Lua script of the Redis store: its embedded file, read once with each <c>--!include</c> line replaced by the
/// file it names, and called by its SHA1 (EVALSHA), so a call neither sends nor hashes the text.
/// </summary>
internal sealed class RedisScript
{
    private const string IncludeDirective = "--!include ";
    private const string ResourcePrefix = "Scripts/";
    private const string LibraryFolder = "lib/";
    private static readonly ConcurrentDictionary<string, RedisScript> Loaded = new(StringComparer.Ordinal);

    private RedisScript(string name, string text)
    {
        Name = name;
        Label = Path.ChangeExtension(name, null);
        Text = text;
        Hash = Sha1(text);
    }

    /// <summary>The file's path below <c>Scripts/</c>, for example <c>store_message.lua</c>.</summary>
    public string Name { get; }

    /// <summary>The name without <c>.lua</c> (<c>store_message</c>): the script's metric label and span name.</summary>
    public string Label { get; }

    /// <summary>What Redis runs: the file with its includes resolved.</summary>
    public string Text { get; }

    /// <summary>The SHA1 of <see cref="Text"/>, the name Redis caches the script under.</summary>
    public byte[] Hash { get; }

    /// <summary>Every script of the store; the files under <c>lib/</c> are included by scripts, not run.</summary>
    public static IReadOnlyList<RedisScript> All =>
        [.. Files().Where(name => !name.StartsWith(LibraryFolder, StringComparison.Ordinal)).Order(StringComparer.Ordinal).Select(Get)];

    /// <summary>The script in <paramref name="name"/>, read and resolved on first use.</summary>
    public static RedisScript Get(string name) => Loaded.GetOrAdd(name, static name => new RedisScript(name, Resolve(name, [name])));

    /// <summary>The path below <c>Scripts/</c> of every embedded Lua file, includes and scripts.</summary>
    public static IEnumerable<string> Files() =>
        typeof(RedisScript).Assembly.GetManifestResourceNames()
            .Select(resource => resource.Replace('\\', '/'))
            .Where(resource => resource.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .Select(resource => resource[ResourcePrefix.Length..]);

    /// <summary>A file as written, its includes not resolved.</summary>
    public static string ReadFile(string name)
    {
        var assembly = typeof(RedisScript).Assembly;
        // The resource name keeps the build machine's separator (RecursiveDir), so look it up either way.
        using var stream = assembly.GetManifestResourceStream(ResourcePrefix + name)
            ?? assembly.GetManifestResourceStream(ResourcePrefix + name.Replace('/', '\\'))
            ?? throw new InvalidOperationException($"No embedded Lua file {name}.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// Runs the script by its hash. A node that lost its scripts (restarted, failed over, or <c>SCRIPT FLUSH</c>ed)
    /// answers NOSCRIPT having run nothing, so the call is repeated once as an EVAL of the text: routed by the same
    /// keys, it runs on the node that owns them and caches the script there again.
    /// </summary>
    /// <remarks>
    /// <paramref name="db"/> may be a batch; a batch has been sent by the time its NOSCRIPT arrives, so the repeat goes
    /// on its own through the batch's connection. This is the one place scripts run, so the one place they are timed
    /// (<c>roaminghub.store.call.duration</c>) and traced, by <see cref="Label"/>; a NOSCRIPT repeat is part of its call.
    /// </remarks>
    public async Task<ScriptReply> RunAsync(IDatabaseAsync db, RedisKey[] keys, RedisValue[] values)
    {
        var start = RoamingMetrics.StoreCallStarted();
        using var span = RoamingTracing.StartStoreCall(Label);
        RedisResult result;
        try
        {
            result = await db.ScriptEvaluateAsync(Hash, keys, values).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            // NoScriptCache: send the text itself, rather than let the client library load it and call by hash again.
            result = await db.Multiplexer.GetDatabase(db.Database)
                .ScriptEvaluateAsync(Text, keys, values, CommandFlags.NoScriptCache).ConfigureAwait(false);
        }
        finally
        {
            RoamingMetrics.StoreCallEnded(Label, start);
        }

        return new ScriptReply((RedisResult[])result!);
    }

    /// <summary>Caches the script on <paramref name="server"/> (<c>SCRIPT LOAD</c>), so calls there need no EVAL.</summary>
    public Task LoadAsync(IServer server) => server.ScriptLoadAsync(Text);

    private static string Resolve(string name, HashSet<string> included)
    {
        var text = new StringBuilder();
        foreach (var line in ReadFile(name).Split('\n').Select(line => line.TrimEnd('\r')))
        {
            if (!line.StartsWith(IncludeDirective, StringComparison.Ordinal))
            {
                text.Append(line).Append('\n');
                continue;
            }

            // Each file at most once per script, so a helper can include the user's keys it needs, as its script does.
            var include = line[IncludeDirective.Length..].Trim();
            if (included.Add(include))
            {
                text.Append(Resolve(include, included));
            }
        }

        return text.ToString();
    }

    // Redis names a cached script by the SHA1 of its text; this is that name, not a security measure.
    private static byte[] Sha1(string text) => SHA1.HashData(Encoding.UTF8.GetBytes(text));
}
