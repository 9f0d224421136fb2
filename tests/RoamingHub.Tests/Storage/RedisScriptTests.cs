using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Settings;
using RoamingHub.Server.Storage;
using RoamingHub.Server.Storage.Redis;
using RoamingHub.Server.Storage.Redis.Scripts;
using RoamingHub.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace RoamingHub.Tests.Storage;

/// <summary>
/// The store's Lua scripts as files and as Redis runs them: each names its inputs before its logic, every include
/// resolves, the status table and <see cref="ScriptStatus"/> agree, and a Redis that loses its scripts (a restart, a
/// failover, <c>SCRIPT FLUSH</c>) costs no call: the scripts are loaded again by the calls that need them.
/// </summary>
public sealed partial class RedisScriptTests(ITestOutputHelper output)
{
    private const long T0 = 1_790_000_000_000;

    [Fact]
    public void The_Lua_status_table_and_ScriptStatus_agree_name_by_name_and_value_by_value()
    {
        var lua = StatusEntry().Matches(RedisScript.ReadFile("lib/status.lua"))
            .Select(m => (Name: Pascal(m.Groups["name"].Value), Value: int.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)))
            .ToList();
        var csharp = Enum.GetValues<ScriptStatus>().Select(s => (Name: s.ToString(), Value: (int)s)).ToList();

        Assert.NotEmpty(lua);
        Assert.Equal(csharp, lua);
        Assert.Equal(lua.Count, lua.Select(entry => entry.Value).Distinct().Count());
    }

    [Fact]
    public void Every_script_file_opens_with_a_comment_and_names_its_keys_and_arguments_before_its_logic()
    {
        var files = RedisScript.Files().ToList();
        Assert.Contains("store_message.lua", files);
        Assert.Contains("lib/user_keys.lua", files);
        foreach (var file in files)
        {
            var lines = RedisScript.ReadFile(file).Split('\n');
            Assert.True(lines[0].StartsWith("-- ", StringComparison.Ordinal), $"{file} opens with a header comment");
            var logic = Array.FindIndex(lines, line => !IsHeader(line));
            var late = lines.Skip(logic < 0 ? lines.Length : logic).Where(line => Input().IsMatch(line)).ToList();
            Assert.True(late.Count == 0, $"{file} reads KEYS or ARGV after its header: {string.Join(" | ", late)}");
            var bare = lines.Where(line => BareCode().IsMatch(line)).ToList();
            Assert.True(bare.Count == 0, $"{file} answers a bare number instead of a status: {string.Join(" | ", bare)}");
        }
    }

    [Fact]
    public async Task Every_include_resolves_and_every_script_compiles_on_Redis()
    {
        var scripts = RedisScript.All;
        Assert.Equal(RedisScript.Files().Count(file => !file.StartsWith("lib/", StringComparison.Ordinal)), scripts.Count);
        var server = RedisServer.Instance.Multiplexer.GetServer(RedisServer.Instance.ConnectionString);
        foreach (var script in scripts)
        {
            Assert.DoesNotContain("--!include", script.Text, StringComparison.Ordinal);
            Assert.Equal(script.Hash, await server.ScriptLoadAsync(script.Text));
        }
    }

    [Fact]
    public async Task Pins_and_sends_racing_SCRIPT_FLUSH_all_succeed_and_leave_exactly_what_was_written()
    {
        const int Writers = 4;
        const int Calls = 150;
        using var redis = RedisServer.StartDedicated(durable: false);
        using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true");
        var server = connection.GetServer(redis.ConnectionString);
        var store = Stores.Redis(connection, new RoamingOptions
        {
            RedisKeyPrefix = TestIds.Prefix(), MaxPinnedConversations = Calls, MaxConversationsPerUser = Calls + 1,
        });
        var pairs = Enumerable.Range(0, Writers).Select(w => (Writer: TestIds.User($"writer{w}"), Peer: TestIds.User($"peer{w}"))).ToList();

        var writing = pairs.Select(pair => Task.Run(async () =>
        {
            for (var i = 0; i < Calls; i++)
            {
                await store.Conversations.PinConversationAsync(pair.Writer, Single($"pinned{i}"), true, "phone", T0 + i, null, default);
                await store.Messages.SendMessageAsync(
                    new MessageDraft($"{pair.Writer}-m{i}", ChatTypes.SingleChat, pair.Writer, pair.Peer, "text", $"m{i}", null), T0 + i, true, default);
            }
        })).ToList();
        var flushes = 0;
        var all = Task.WhenAll(writing);
        while (!all.IsCompleted)
        {
            await server.ScriptFlushAsync();
            flushes++;
            await Task.Delay(5);
        }

        await all;
        output.WriteLine($"{flushes} flushes; NOSCRIPT answered {RedisCluster.ErrorStats(server).GetValueOrDefault("NOSCRIPT")} times");
        Assert.True(RedisCluster.ErrorStats(server).GetValueOrDefault("NOSCRIPT") > 0, "calls met a flushed script cache");
        foreach (var (writer, peer) in pairs)
        {
            var pinned = await store.Conversations.FetchConversationsAsync(writer, "phone", ConversationList.Pinned, null, Calls + 1, T0 + Calls, default);
            var history = await store.Messages.FetchHistoryMessagesAsync(writer, Single(peer), new HistoryQuery(true, null, Calls + 1), T0 + Calls, default);
            Assert.Equal(Calls, pinned.Items.Count);
            Assert.Equal(2 * Calls, await store.Events.GetLastSeqAsync(writer, default));   // a pin and a message each
            Assert.Equal(Enumerable.Range(0, Calls).Reverse().Select(i => $"{writer}-m{i}"), history.Items.Select(m => m.Decode().MsgId));
            Assert.Equal(Calls, (await store.Conversations.GetUnreadSummaryAsync(peer, T0, default)).TotalUnread);
        }
    }

    [Fact]
    public async Task After_SCRIPT_FLUSH_on_every_cluster_master_calls_succeed_and_load_the_scripts_where_their_keys_live()
    {
        var cluster = RedisCluster.Instance;
        var options = new RoamingOptions { RedisKeyPrefix = TestIds.Prefix() };
        var (store, keys) = (Stores.Redis(cluster.Multiplexer, options), new RedisKeys(options.RedisKeyPrefix));
        var chats = ChatsOnEveryMaster(cluster, keys);
        await Task.WhenAll(cluster.Servers.Select(server => server.ScriptFlushAsync()));

        foreach (var (from, to) in chats)
        {
            var sent = await store.Messages.SendMessageAsync(new MessageDraft($"m-{from}", ChatTypes.SingleChat, from, to, "text", "hi", null), T0, true, default);
            var pin = await store.Conversations.PinConversationAsync(from, Single(to), true, "phone", T0 + 1, null, default);
            var history = await store.Messages.FetchHistoryMessagesAsync(to, Single(from), new HistoryQuery(true, null, 10), T0 + 2, default);
            Assert.False(sent.Duplicate);
            Assert.Equal(2, pin.Event?.Seq);   // after the message's entry
            Assert.Equal([$"m-{from}"], history.Items.Select(m => m.Decode().MsgId));
        }

        var stored = RedisScript.Get("store_message.lua").Hash;
        Assert.All(cluster.Servers, server => Assert.True(server.ScriptExists(stored), $"{server.EndPoint} holds store_message.lua again"));
    }

    [Fact]
    public async Task The_preloader_loads_every_script_on_every_cluster_master()
    {
        var cluster = RedisCluster.Instance;
        await Task.WhenAll(cluster.Servers.Select(server => server.ScriptFlushAsync()));

        await RedisScriptPreloader.LoadEverywhereAsync(cluster.Multiplexer);

        Assert.All(cluster.Servers, server => Assert.All(RedisScript.All, script =>
            Assert.True(server.ScriptExists(script.Hash), $"{server.EndPoint} holds {script.Name}")));
    }

    [Fact]
    public async Task The_preloader_lets_a_node_start_while_Redis_is_away()
    {
        using var redis = RedisServer.StartDedicated(durable: false);
        redis.Kill();
        using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",abortConnect=false,connectTimeout=200");
        using var preloader = new RedisScriptPreloader(connection, NullLogger<RedisScriptPreloader>.Instance);

        await preloader.StartAsync(default);
        await preloader.ExecuteTask!;

        Assert.True(preloader.ExecuteTask.IsCompletedSuccessfully);
    }

    private static ConversationRef Single(string userId) => new(ChatTypes.SingleChat, userId);

    /// <summary>Single chats, at least one whose keys live on each master (ids are random, so a few are tried).</summary>
    private static List<(string From, string To)> ChatsOnEveryMaster(RedisCluster cluster, RedisKeys keys)
    {
        var chats = new Dictionary<string, (string, string)>();
        for (var i = 0; i < 500 && chats.Count < cluster.Ports.Count; i++)
        {
            var (from, to) = (TestIds.User("from"), TestIds.User("to"));
            var master = cluster.Multiplexer.GetServer(keys.Messages(Single(to).ChatKey(from))).EndPoint.ToString()!;
            chats.TryAdd(master, (from, to));
        }

        Assert.Equal(cluster.Ports.Count, chats.Count);
        return [.. chats.Values];
    }

    /// <summary>
    /// A header line: blank, a comment (an include among them), or a local naming an input, as it came or checked by a
    /// helper of <c>lib/check.lua</c> that is given the input's name (<c>local now_ms = decimal_arg(ARGV[2], 'now_ms')</c>);
    /// never a bare <c>tonumber</c>, which would let a malformed number through to fail a later write.
    /// </summary>
    private static bool IsHeader(string line) =>
        string.IsNullOrWhiteSpace(line) || line.StartsWith("--", StringComparison.Ordinal) || NamedInput().IsMatch(line);

    private static string Pascal(string snake) =>
        string.Concat(snake.Split('_').Select(word => char.ToUpperInvariant(word[0]) + word[1..]));

    [GeneratedRegex(@"^\s*(?<name>[a-z_]+)\s*=\s*(?<value>-?\d+),", RegexOptions.Multiline)]
    private static partial Regex StatusEntry();

    [GeneratedRegex(@"^local (?<name>[a-z_]+) = ((KEYS|ARGV)\[\d+\]( == '[a-z0-9]*')?|tail\((KEYS|ARGV), \d+\)|[a-z]+_arg\(((KEYS|ARGV)\[\d+\]|tail\((KEYS|ARGV), \d+\)), '\k<name>'\))\s*(--.*)?$")]
    private static partial Regex NamedInput();

    [GeneratedRegex(@"\b(KEYS|ARGV)\b")]
    private static partial Regex Input();

    [GeneratedRegex(@"\breturn\s*\{?\s*-?\d")]
    private static partial Regex BareCode();
}
