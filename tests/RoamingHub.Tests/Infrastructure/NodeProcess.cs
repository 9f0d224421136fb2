using System.Diagnostics;
using System.Net;
using RoamingHub.Server.Auth;

namespace RoamingHub.Tests.Infrastructure;

/// <summary>
/// A RoamingHub node in a process of its own (the server build the tests reference), so a test can SIGKILL it
/// and start it again on the same port, as a crash and a restart would. <see cref="Floor"/> starts a node of the
/// bare-SignalR floor (loadtests/SignalRFloor) the same way.
/// </summary>
public sealed class NodeProcess : IDisposable
{
    private readonly Dictionary<string, string> _environment;
    private readonly string _assembly;
    private Process? _process;

    /// <param name="settings">Extra configuration, as environment variables (<c>Roaming__MaxConnectionsPerUser</c>).</param>
    public NodeProcess(string redisConnectionString, string prefix, IReadOnlyDictionary<string, string>? settings = null)
        : this("RoamingHub.Server.dll", redisConnectionString, prefix, settings)
    {
    }

    private NodeProcess(string assembly, string redisConnectionString, string prefix, IReadOnlyDictionary<string, string>? settings)
    {
        _assembly = assembly;
        Port = LocalMachine.FreePort();
        _environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ConnectionStrings__Redis"] = redisConnectionString,
            ["Roaming__RedisKeyPrefix"] = prefix,
            ["Auth__SigningKey"] = AuthOptions.SampleSigningKey,
            ["Auth__AdminApiKey"] = AuthOptions.SampleAdminApiKey,
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            _environment[key] = value;
        }

        Start();
    }

    public int Port { get; }

    /// <summary>A node of the bare-SignalR floor: the same hub path, tokens and fan-out with no store.</summary>
    public static NodeProcess Floor(string redisConnectionString, string prefix) =>
        new("RoamingHub.SignalRFloor.dll", redisConnectionString, prefix, settings: null);

    /// <summary>The running node's process id, for probes that read its CPU or attach to its runtime.</summary>
    public int Pid => _process?.Id ?? throw new InvalidOperationException("The node is not running.");

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    /// <summary>Starts the node and waits until it answers /healthz.</summary>
    public void Start()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, _assembly), "--urls", BaseAddress.ToString().TrimEnd('/') },
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("The node did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                if (http.GetAsync("/healthz").GetAwaiter().GetResult().StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
            }
            catch (TaskCanceledException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
            }

            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                // A node that never answered is killed, not left running behind a failed test.
                Kill();
                throw new InvalidOperationException($"The node on port {Port} did not come up.");
            }

            Thread.Sleep(100);
        }
    }

    /// <summary>SIGKILL: no graceful shutdown, connections drop, nothing is cleaned up.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
    }

    public void Dispose() => Kill();
}
