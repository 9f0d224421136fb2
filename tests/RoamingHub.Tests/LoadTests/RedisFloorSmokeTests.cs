using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.LoadTests;

/// <summary>
/// loadtests/redis-floor/run.sh, tiny: a few members, calls and pages, one round. It checks that every layout ran on
/// the script's own Redis and was timed, that the Redis is gone afterwards, and that a layout's error or a port taken
/// by another Redis fails the run, never the figures: the full runs and their figures are in docs/benchmarks.md.
/// </summary>
public sealed partial class RedisFloorSmokeTests
{
    private static readonly string[] Layouts =
    [
        "sorted_sets", "lists", "seq_only", "seq_only_per_member", "xadd_per_member", "message", "message_known_run",
        "page_fields", "page_packed", "page_precomputed", "pin_and_publish", "pin_then_publish", "publish", "round_trip",
    ];

    [Fact]
    public async Task A_tiny_run_times_every_layout_on_a_redis_of_its_own_and_stops_it()
    {
        var port = LocalMachine.FreePort();
        var (exitCode, output) = await RunAsync(port, members: 20, calls: 30);

        Assert.True(exitCode == 0, output);
        foreach (var layout in Layouts)
        {
            // "  <layout>: <min>–<max>, median <median>  (<each round>)": one round, so all three are that round's figure.
            var line = Summary().Matches(output).FirstOrDefault(m => m.Groups["layout"].Value == layout);
            Assert.True(line is not null, $"no summary line for {layout}:\n{output}");
            Assert.True(long.Parse(line.Groups["min"].Value, CultureInfo.InvariantCulture) > 0, output);
        }

        using var probe = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => probe.ConnectAsync("127.0.0.1", port));
    }

    [Fact]
    public async Task A_port_another_Redis_holds_fails_the_run_and_leaves_that_Redis_alone()
    {
        var other = RedisServer.Instance;
        var (exitCode, output) = await RunAsync(other.Port, members: 20, calls: 3);

        Assert.NotEqual(0, exitCode);
        Assert.Contains($"redis-server did not start on port {other.Port}", output, StringComparison.Ordinal);
        var server = other.Multiplexer.GetServer(other.ConnectionString);
        Assert.Empty(server.Keys(pattern: "floor:*", pageSize: 1000));
    }

    [Theory]
    [InlineData("message_participant.lua", "message(_known_run)?", "Redis CPU per single-chat message")]
    [InlineData("pin.lua", "pin_(and|then)_publish", "Redis CPU per pin")]
    public async Task A_layout_whose_script_raises_fails_the_run_naming_the_layout_and_Redis_error(string file, string layouts, string summary)
    {
        // A copy of the tool whose script raises on its first call, as a broken layout would. The pin layouts send
        // their calls one at a time and the others pipelined, and each way reads its replies on its own.
        using var copy = new TempCopy(Path.Combine(LocalMachine.RepositoryRoot(), "loadtests", "redis-floor"));
        var script = Path.Combine(copy.Path, file);
        const string Incr = "local seq = redis.call('INCR', seq_key)";
        var text = await File.ReadAllTextAsync(script);
        Assert.Contains(Incr, text, StringComparison.Ordinal);
        await File.WriteAllTextAsync(script, text.Replace(Incr, Incr + " + {}", StringComparison.Ordinal));

        var (exitCode, output) = await RunAsync(LocalMachine.FreePort(), members: 20, calls: 30, copy.Path);

        Assert.NotEqual(0, exitCode);
        // Whichever of the layouts that use the script the shuffled round ran first.
        Assert.Matches($"(?m)^{layouts}: ERR", output);
        // The summary's heading, not a round's line: a layout that does not use the script may have run before it.
        Assert.DoesNotMatch($"(?m)^{summary}", output);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(int port, int members, int calls, string? tool = null)
    {
        var script = Path.Combine(tool ?? Path.Combine(LocalMachine.RepositoryRoot(), "loadtests", "redis-floor"), "run.sh");
        var start = new ProcessStartInfo("bash")
        {
            ArgumentList = { script, members.ToString(CultureInfo.InvariantCulture), calls.ToString(CultureInfo.InvariantCulture), "1" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment =
            {
                ["REDIS_PORT"] = port.ToString(CultureInfo.InvariantCulture),
                ["STREAM_LENGTH"] = "100",
                ["LIST_SIZE"] = "30",
                // Enough work per layout that each figure stays above the measurement's own cost taken off it.
                ["MESSAGE_CALLS"] = "100",
                ["PAGE_CALLS"] = "300",
            },
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>The files of a folder, copied to a temporary one that goes with it.</summary>
    private sealed class TempCopy : IDisposable
    {
        public TempCopy(string source)
        {
            Path = Directory.CreateTempSubdirectory("roaminghub-redis-floor-").FullName;
            foreach (var file in Directory.GetFiles(source))
            {
                File.Copy(file, System.IO.Path.Combine(Path, System.IO.Path.GetFileName(file)));
            }
        }

        public string Path { get; }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }

    [GeneratedRegex(@"^  (?<layout>\w+): (?<min>\d+)–(?<max>\d+), median (?<median>\d+)  \(", RegexOptions.Multiline)]
    private static partial Regex Summary();
}
