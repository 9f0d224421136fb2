using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
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
    /// Runs one node and kills it once the test host is gone, so a host killed before it could clean up (a hang
    /// timeout, a cancelled run) leaves no node behind. Arguments: the host's process id, then redis-server's.
    /// </summary>
    private const string Watchdog = """
        host=$1; shift
        redis-server "$@" &
        node=$!
        while kill -0 "$host" 2>/dev/null && kill -0 "$node" 2>/dev/null; do sleep 1; done
        kill -9 "$node" 2>/dev/null
        """;

    private static readonly Lazy<RedisCluster> Shared = new(() => new RedisCluster());
    private readonly List<Process> _processes = [];
    private readonly string _directory = Directory.CreateTempSubdirectory("roaminghub-cluster-").FullName;

    private RedisCluster()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose();
        try
        {
            var ports = FreePortsWithBusPorts(Masters);
            foreach (var port in ports)
            {
                _processes.Add(Start("sh",
                [
                    "-c", Watchdog, "watchdog", Text(Environment.ProcessId),
                    "--port", Text(port), "--bind", "127.0.0.1", "--protected-mode", "no",
                    "--cluster-enabled", "yes", "--cluster-config-file", $"nodes-{port}.conf", "--cluster-node-timeout", "5000",
                    "--save", "", "--appendonly", "no", "--dir", _directory, "--logfile", $"redis-{port}.log",
                ], redirect: false));
            }

            Ports = ports;
            foreach (var port in ports)
            {
                WaitFor(() => Cli(port, "PING") == "PONG" || _processes.Any(p => p.HasExited), $"redis-server on port {port} to answer");
                if (_processes.Any(p => p.HasExited))
                {
                    throw new InvalidOperationException($"redis-server exited at start (is it installed? .ci/run installs it).");
                }
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
        // Kill every node and its watchdog before anything waits: while the test host exits, waiting on a child can
        // hang until the runner kills the host.
        foreach (var process in _processes)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already exited.
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

    private static Process Start(string file, IEnumerable<string> arguments, bool redirect = true)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = redirect, RedirectStandardError = redirect, UseShellExecute = false };
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
