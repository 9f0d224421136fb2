using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using StackExchange.Redis;

namespace RoamingHub.Tests.Infrastructure;

/// <summary>
/// A real three-master Redis Cluster on loopback (no replicas), started once for the test run and killed when it
/// ends, its directory removed. Tests share it and keep apart by key prefix, like <see cref="RedisServer"/>.
/// Before anyone uses it, it provokes one CROSSSLOT error and checks that <see cref="CrossSlotErrors"/> counts it,
/// then zeroes every node's statistics: a count of 0 later means none happened, not that none could be seen.
/// </summary>
public sealed class RedisCluster : IDisposable
{
    private const int Masters = 3;

    /// <summary>
    /// Runs one node and kills it once the test host is gone (exited, or a zombie), so a host ended before it could
    /// clean up leaves no node behind. It runs detached from the host, in its own session, because the runner may
    /// end the host together with its children. Arguments: the host's process id, then redis-server's.
    /// </summary>
    private const string Watchdog = """
        host=$1; shift
        alive() { [ -r "/proc/$1/status" ] && ! grep -qs '^State:[[:space:]]*Z' "/proc/$1/status"; }
        redis-server "$@" &
        node=$!
        while alive "$host" && alive "$node"; do sleep 1; done
        kill -9 "$node" 2>/dev/null
        wait "$node"
        """;

    private static readonly Lazy<RedisCluster> Shared = new(() => new RedisCluster());
    private readonly List<int> _nodes = [];
    private readonly string _directory = Directory.CreateTempSubdirectory("roaminghub-cluster-").FullName;

    private RedisCluster()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose();
        try
        {
            var ports = FreePortsWithBusPorts(Masters);
            var watchdog = Path.Combine(_directory, "watchdog.sh");
            File.WriteAllText(watchdog, Watchdog);
            foreach (var port in ports)
            {
                using var detach = Start("sh",
                [
                    "-c", "setsid sh \"$0\" \"$@\" </dev/null >/dev/null 2>&1 &", watchdog, Text(Environment.ProcessId),
                    "--port", Text(port), "--bind", "127.0.0.1", "--protected-mode", "no",
                    "--cluster-enabled", "yes", "--cluster-config-file", $"nodes-{port}.conf", "--cluster-node-timeout", "5000",
                    "--save", "", "--appendonly", "no", "--dir", _directory, "--logfile", $"redis-{port}.log",
                ]);
                detach.WaitForExit();
            }

            Ports = ports;
            foreach (var port in ports)
            {
                WaitFor(() => Cli(port, "PING") == "PONG", $"redis-server on port {port} to answer (is it installed? .ci/run installs it)");
                var processId = Cli(port, "INFO", "server").Split('\n').Single(line => line.StartsWith("process_id:", StringComparison.Ordinal));
                _nodes.Add(int.Parse(processId["process_id:".Length..].Trim(), CultureInfo.InvariantCulture));
            }

            var create = Cli(null, ["--cluster", "create", .. ports.Select(p => $"127.0.0.1:{p}"), "--cluster-replicas", "0", "--cluster-yes"]);
            if (!create.Contains("[OK] All 16384 slots covered", StringComparison.Ordinal))
            {
                throw new InvalidOperationException("redis-cli --cluster create failed:\n" + create);
            }

            foreach (var port in ports)
            {
                WaitFor(() => Cli(port, "CLUSTER", "INFO").Contains("cluster_state:ok", StringComparison.Ordinal), $"node {port} to report cluster_state:ok");
            }

            Multiplexer = ConnectionMultiplexer.Connect(ConnectionString + ",connectTimeout=2000,allowAdmin=true");
            CheckThatCrossSlotErrorsAreCounted();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The shared cluster, started on first use.</summary>
    public static RedisCluster Instance => Shared.Value;

    /// <summary>The masters' ports.</summary>
    public IReadOnlyList<int> Ports { get; }

    /// <summary>A StackExchange.Redis connection string naming every master, as a deployment would give it.</summary>
    public string ConnectionString => string.Join(",", Ports.Select(p => $"127.0.0.1:{p}"));

    /// <summary>A connection for tests that talk to the cluster directly, allowed admin commands (INFO, CONFIG, SCAN).</summary>
    public IConnectionMultiplexer Multiplexer { get; }

    /// <summary>The masters, as servers of <see cref="Multiplexer"/>.</summary>
    public IReadOnlyList<IServer> Servers => [.. Ports.Select(p => Multiplexer.GetServer("127.0.0.1", p))];

    /// <summary>CROSSSLOT errors the masters answered since the cluster started, summed over <c>INFO errorstats</c>.</summary>
    public long CrossSlotErrors() => Servers.Sum(server => ErrorStats(server).GetValueOrDefault("CROSSSLOT"));

    /// <summary>One master's <c>INFO errorstats</c>: error prefix (<c>CROSSSLOT</c>, <c>ERR</c>, …) → count.</summary>
    public static IReadOnlyDictionary<string, long> ErrorStats(IServer server) =>
        server.Info("errorstats").SelectMany(group => group)
            .Where(entry => entry.Key.StartsWith("errorstat_", StringComparison.Ordinal))
            .ToDictionary(
                entry => entry.Key["errorstat_".Length..],
                entry => long.Parse(entry.Value.Split(',')[0].Split('=')[1], CultureInfo.InvariantCulture));

    public void Dispose()
    {
        // Plain kill(2) calls: while the test host exits, the Process class can block until the runner ends the host,
        // and a node this did not reach would be left to its watchdog.
        foreach (var id in _nodes)
        {
            if (File.Exists($"/proc/{id}/comm") && File.ReadAllText($"/proc/{id}/comm").Trim() == "redis-server")
            {
                _ = Kill(id, SigKill);
            }
        }

        try
        {
            // SIGKILL leaves nothing to flush, so the directory can go at once.
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Already gone, or a file still held; it is in the system's temp folder.
        }
    }

    private void CheckThatCrossSlotErrorsAreCounted()
    {
        // Sent raw, so StackExchange.Redis cannot refuse it on the client side as it would a multi-slot command.
        var server = Servers[0];
        try
        {
            server.Execute("MSET", "{cluster-check-a}", "1", "{cluster-check-b}", "1");
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("CROSSSLOT", StringComparison.Ordinal))
        {
        }

        if (CrossSlotErrors() != 1)
        {
            throw new InvalidOperationException("INFO errorstats did not count a deliberate CROSSSLOT error.");
        }

        foreach (var master in Servers)
        {
            master.Execute("CONFIG", "RESETSTAT");
        }
    }

    private const int SigKill = 9;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);

    private static Process Start(string file, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            return Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"{file} is not installed; run the tests through .ci/run, which installs it.", ex);
        }
    }

    private static string Cli(int? port, params string[] arguments)
    {
        using var process = Start("redis-cli", port is null ? arguments : ["-h", "127.0.0.1", "-p", Text(port.Value), .. arguments]);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill();
            throw new TimeoutException($"redis-cli {string.Join(' ', arguments)} did not finish.");
        }

        return (output.Result + error.Result).Trim();
    }

    private static void WaitFor(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }

            Thread.Sleep(50);
        }
    }

    private static string Text(int number) => number.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Distinct free loopback ports P whose cluster bus port P + 10000 is free too (<c>--cluster-port</c> would lift
    /// that rule but needs Redis 7). The listeners stay open until all are chosen, so none is handed out twice.
    /// </summary>
    private static List<int> FreePortsWithBusPorts(int count)
    {
        var held = new List<TcpListener>();
        try
        {
            var ports = new List<int>();
            while (ports.Count < count)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                held.Add(listener);
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                if (port + 10000 > IPEndPoint.MaxPort)
                {
                    continue;
                }

                var bus = new TcpListener(IPAddress.Loopback, port + 10000);
                try
                {
                    bus.Start();
                }
                catch (SocketException)
                {
                    continue;
                }

                held.Add(bus);
                ports.Add(port);
            }

            return ports;
        }
        finally
        {
            held.ForEach(l => l.Stop());
        }
    }
}
