using System.Diagnostics;
using System.Text.Json;
using RoamingHub.Contracts;

namespace RoamingHub.Tests.Infrastructure;

/// <summary>What happened to one device of <see cref="JsDevices"/>, as tests/js-clients/devices.mjs reports it.</summary>
public sealed record JsDeviceEvent(long At, string Event, string? Device = null, string? Error = null, long? LastSeq = null, string? Epoch = null);

/// <summary>
/// Devices on the official JavaScript SignalR client with its default automatic reconnect, in a node process of their
/// own (tests/js-clients/devices.mjs, installed by <c>npm ci</c>, which .ci/run does). The test hands it tokens; it
/// reports every connect, reconnect, close and GetSyncState answer of each device, read here as they come.
/// </summary>
public sealed class JsDevices : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Process _process;
    private readonly List<JsDeviceEvent> _events = [];
    private readonly List<string> _errors = [];

    private JsDevices(Process process) => _process = process;

    /// <summary>Everything reported so far, in the order the script wrote it.</summary>
    public IReadOnlyList<JsDeviceEvent> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>Starts node on the script and waits until it is ready to open devices (its modules loaded).</summary>
    public static async Task<JsDevices> StartAsync()
    {
        var directory = Path.Combine(LocalMachine.RepositoryRoot(), "tests", "js-clients");
        if (!Directory.Exists(Path.Combine(directory, "node_modules", "@microsoft", "signalr")))
        {
            throw new InvalidOperationException($"The JavaScript client is not installed: run 'npm ci' in tests/js-clients (.ci/run does).");
        }

        var start = new ProcessStartInfo("node")
        {
            ArgumentList = { "devices.mjs" },
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        var devices = new JsDevices(process);
        process.OutputDataReceived += (_, line) => devices.Read(line.Data);
        process.ErrorDataReceived += (_, line) =>
        {
            lock (devices._errors)
            {
                if (line.Data is { } text)
                {
                    devices._errors.Add(text);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await devices.WaitUntilAsync(events => events.Any(e => e.Event == "ready"), TimeSpan.FromSeconds(30), "the script to be ready");
        }
        catch
        {
            devices.Dispose();  // no node left behind by a script that never got ready
            throw;
        }

        return devices;
    }

    /// <summary>Opens one device per entry, each connecting at once to the hub of the node at its address.</summary>
    public void Open(IEnumerable<(Uri Node, string Name, string Token)> devices)
    {
        var line = JsonSerializer.Serialize(
            new { devices = devices.Select(d => new { url = new Uri(d.Node, RoamingProtocol.HubPath).ToString(), name = d.Name, token = d.Token }) },
            Json);
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>Waits until <paramref name="condition"/> holds for the events so far; fails with all of them (and node's log) when it does not in time.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyList<JsDeviceEvent>, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition(Events))
        {
            if (deadline.Elapsed > timeout || _process.HasExited)
            {
                throw new TimeoutException($"Waited {timeout.TotalSeconds} s for {what}; node {(_process.HasExited ? "exited" : "runs")}. Events:\n{Describe()}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The events and node's own log, for a failure message.</summary>
    public string Describe()
    {
        lock (_errors)
        {
            return string.Join('\n', Events.Select(e => JsonSerializer.Serialize(e, Json)).Concat(_errors.Select(e => "stderr: " + e)));
        }
    }

    /// <summary>Closing stdin stops every device; node is killed if it does not end by itself.</summary>
    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(10_000))
            {
                _process.Kill();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    private void Read(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        try
        {
            var evt = JsonSerializer.Deserialize<JsDeviceEvent>(line, Json)!;
            lock (_events)
            {
                _events.Add(evt);
            }
        }
        catch (JsonException)
        {
            // Not a report: kept with node's log rather than thrown on the reader's thread, which would end the test run.
            lock (_errors)
            {
                _errors.Add("stdout: " + line);
            }
        }
    }
}
