using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RoamingHub.Tests.Infrastructure;

/// <summary>
/// A TCP relay in front of a redis-server that lets a test act at the moment a client sends one command: armed with a
/// text the command carries (a script's SHA1, as EVALSHA sends it), it runs the test's action before it passes on the
/// bytes that hold it. Pausing the server there makes a script that is sent, and later runs, whose reply the caller
/// never gets; a change made there through another connection lands between the caller's earlier steps and this one.
/// </summary>
public sealed class RedisTap : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _upstreamPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private Trap? _trap;

    public RedisTap(RedisServer upstream)
    {
        _upstreamPort = upstream.Port;
        _listener.Start();
        _ = AcceptAsync();
    }

    public string ConnectionString => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>
    /// Runs <paramref name="action"/> once, before the first bytes a client sends that hold <paramref name="text"/>
    /// (in either case) are passed on; completes when it ran.
    /// </summary>
    public Task WhenSent(string text, Func<Task> action)
    {
        var trap = new Trap([Encoding.ASCII.GetBytes(text.ToLowerInvariant()), Encoding.ASCII.GetBytes(text.ToUpperInvariant())], action);
        lock (_gate)
        {
            _trap = trap;
        }

        return trap.Ran.Task;
    }

    /// <summary>The text EVALSHA sends for <paramref name="hash"/>.</summary>
    public static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var _ = client;
        using var server = new TcpClient();
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _upstreamPort, _stop.Token);
            var toServer = ForwardAsync(client.GetStream(), server.GetStream(), watch: true);
            var toClient = ForwardAsync(server.GetStream(), client.GetStream(), watch: false);
            await Task.WhenAny(toServer, toClient);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // The test is over or a side closed: the relay closes both.
        }
    }

    private async Task ForwardAsync(NetworkStream from, NetworkStream to, bool watch)
    {
        var buffer = new byte[64 * 1024];
        var seen = Array.Empty<byte>();
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                if (watch && Armed() is { } trap)
                {
                    // The text may straddle two reads: look at the end of the last one too.
                    var window = seen.Concat(buffer.Take(read)).ToArray();
                    if (trap.Texts.Any(text => window.AsSpan().IndexOf(text) >= 0) && Disarm(trap))
                    {
                        await trap.RunAsync();
                    }

                    seen = window[Math.Max(0, window.Length - trap.Texts[0].Length)..];
                }

                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    private Trap? Armed()
    {
        lock (_gate)
        {
            return _trap;
        }
    }

    private bool Disarm(Trap trap)
    {
        lock (_gate)
        {
            if (_trap != trap)
            {
                return false;
            }

            _trap = null;
            return true;
        }
    }

    private sealed class Trap(byte[][] texts, Func<Task> action)
    {
        public byte[][] Texts { get; } = texts;

        public TaskCompletionSource Ran { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task RunAsync()
        {
            try
            {
                await action();
                Ran.SetResult();
            }
            catch (Exception e)
            {
                Ran.SetException(e);
            }
        }
    }
}
