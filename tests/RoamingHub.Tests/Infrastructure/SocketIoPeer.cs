using System.Diagnostics;
using System.Net;

namespace RoamingHub.Tests.Infrastructure;

/// <summary>
/// Nodes of the Socket.IO peer the load tests compare RoamingHub with (loadtests/socketio-peer/server.mjs, installed
/// by <c>npm ci</c>, which .ci/run does), each a node process of its own on a free loopback port, all on one Redis
/// under one key prefix, as the side-by-side runs start them.
/// </summary>
public sealed class SocketIoPeer : IDisposable
{
    /// <summary>The secret the peer verifies tokens with; the load generator signs them with it.</summary>
    public const string Secret = "test-only-socketio-peer-secret-0123456789abcdef";

    private readonly List<Process> _processes = [];
    private readonly List<string> _log = [];

    private SocketIoPeer()
    {
    }

    public IReadOnlyList<Uri> Nodes { get; private set; } = [];

    public IReadOnlyList<int> Pids => [.. _processes.Select(p => p.Id)];

    /// <summary>Starts <paramref name="nodes"/> peer nodes and waits until each answers /readyz.</summary>
    public static async Task<SocketIoPeer> StartAsync(string redisConnectionString, string prefix, int nodes)
    {
        var directory = Path.Combine(LocalMachine.RepositoryRoot(), "loadtests", "socketio-peer");
        if (!Directory.Exists(Path.Combine(directory, "node_modules", "socket.io")))
        {
            throw new InvalidOperationException("The Socket.IO peer is not installed: run 'npm ci' in loadtests/socketio-peer (.ci/run does).");
        }

        var peer = new SocketIoPeer();
        var addresses = new List<Uri>();
        try
        {
            for (var n = 0; n < nodes; n++)
            {
                var port = LocalMachine.FreePort();
                var start = new ProcessStartInfo("node")
                {
                    ArgumentList = { "server.mjs" },
                    WorkingDirectory = directory,
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                    Environment =
                    {
                        ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        ["REDIS_URL"] = "redis://" + redisConnectionString,
                        ["JWT_SECRET"] = Secret,
                        ["KEY_PREFIX"] = prefix,
                    },
                };
                var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
                peer._processes.Add(process);
                process.OutputDataReceived += (_, line) => peer.Keep(line.Data);
                process.ErrorDataReceived += (_, line) => peer.Keep(line.Data);
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
                addresses.Add(new Uri($"http://127.0.0.1:{port}"));
            }

            peer.Nodes = addresses;
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            foreach (var address in addresses)
            {
                var deadline = Stopwatch.StartNew();
                while (!await IsReadyAsync(http, address))
                {
                    if (deadline.Elapsed > TimeSpan.FromSeconds(30) || peer._processes.Any(p => p.HasExited))
                    {
                        throw new InvalidOperationException($"The peer at {address} did not come up:\n{peer.Log}");
                    }

                    await Task.Delay(100);
                }
            }

            return peer;
        }
        catch
        {
            peer.Dispose();
            throw;
        }
    }

    /// <summary>What the peer nodes printed, for a failure message.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return string.Join('\n', _log);
            }
        }
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill();
                    process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            process.Dispose();
        }
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.Add(line);
            }
        }
    }

    private static async Task<bool> IsReadyAsync(HttpClient http, Uri address)
    {
        try
        {
            return (await http.GetAsync(new Uri(address, "/readyz"))).StatusCode == HttpStatusCode.OK;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
