using System.Diagnostics;
using StackExchange.Redis;

namespace RoamingHub.Tests.Infrastructure;

/// <summary>
/// A real redis-server on a free loopback port. <see cref="Instance"/> is started once for the test run and shared
/// (tests keep apart by key prefix); fault tests start a dedicated one they can kill with SIGKILL and start again on
/// the same port and data directory.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private static readonly Lazy<RedisServer> Shared = new(() => new RedisServer(durable: false));
    private readonly bool _durable;
    private readonly string _directory = Directory.CreateTempSubdirectory("roaminghub-redis-").FullName;
    private Process _process = null!;
    private ConnectionMultiplexer? _multiplexer;

    private RedisServer(bool durable)
    {
        _durable = durable;
        Port = LocalMachine.FreePort();
        Start();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose();
    }

    /// <summary>The shared server, started on first use.</summary>
    public static RedisServer Instance => Shared.Value;

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>A connection for tests that talk to Redis directly.</summary>
    public IConnectionMultiplexer Multiplexer => _multiplexer ??= ConnectionMultiplexer.Connect(ConnectionString + ",connectTimeout=1000,abortConnect=false");

    /// <summary>A server of the test's own; with <paramref name="durable"/> it writes an AOF with <c>appendfsync always</c>.</summary>
    public static RedisServer StartDedicated(bool durable) => new(durable);

    /// <summary>SIGKILL: no shutdown, no final save.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
    }

    /// <summary>
    /// SIGSTOP: the process keeps its sockets open and answers nothing until <see cref="Resume"/>, as a Redis stalled
    /// by a slow disk, a long command or a paused VM does. Clients see timeouts, not refused connections.
    /// </summary>
    public void Pause() => Signal("STOP");

    /// <summary>SIGCONT: the paused server carries on with what it was sent meanwhile.</summary>
    public void Resume()
    {
        if (!_process.HasExited)
        {
            Signal("CONT");
        }
    }

    /// <summary>Starts the server again on the same port and data directory and waits until it answers.</summary>
    public void Start()
    {
        var start = new ProcessStartInfo("redis-server")
        {
            ArgumentList = { "--port", Port.ToString(), "--bind", "127.0.0.1", "--protected-mode", "no", "--dir", _directory, "--save", "" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in _durable ? ["--appendonly", "yes", "--appendfsync", "always"] : new[] { "--appendonly", "no" })
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("redis-server is not installed; run the tests through .ci/run, which installs it.", ex);
        }

        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        WaitUntilReady();
    }

    /// <summary>Takes a snapshot now (<c>SAVE</c>) and returns a copy of it, to bring back with <see cref="RestoreSnapshot"/>.</summary>
    public byte[] TakeSnapshot()
    {
        using var admin = ConnectionMultiplexer.Connect(ConnectionString + ",connectTimeout=1000,allowAdmin=true");
        admin.GetServer(ConnectionString).Execute("SAVE");
        return File.ReadAllBytes(Path.Combine(_directory, "dump.rdb"));
    }

    /// <summary>Puts a snapshot back while the server is down; <see cref="Start"/> then loads it, as a restore from backup does.</summary>
    public void RestoreSnapshot(byte[] snapshot) => File.WriteAllBytes(Path.Combine(_directory, "dump.rdb"), snapshot);

    public void Dispose()
    {
        Kill();
        _multiplexer?.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the temp folder goes with the machine anyway.
        }
    }

    private void WaitUntilReady()
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                using var probe = ConnectionMultiplexer.Connect(ConnectionString + ",connectTimeout=500,allowAdmin=true");
                if (probe.GetDatabase().Ping() >= TimeSpan.Zero && !probe.GetServer(ConnectionString).Info("persistence")
                        .SelectMany(g => g).Any(p => p.Key == "loading" && p.Value == "1"))
                {
                    return;
                }
            }
            catch (RedisConnectionException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
            }
            catch (RedisServerException ex) when (ex.Message.StartsWith("LOADING", StringComparison.Ordinal) && DateTime.UtcNow < deadline && !_process.HasExited)
            {
                // Redis refuses even PING while it loads its AOF after a restart.
            }

            Thread.Sleep(50);
        }
    }

    private void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { $"-{signal}", _process.Id.ToString() }, UseShellExecute = false })
            ?? throw new InvalidOperationException("kill did not start.");
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {_process.Id} failed with exit code {kill.ExitCode}.");
        }
    }
}
