using System.Diagnostics;
using System.Text.Json;

namespace RoamingHub.Tests.Playground;

/// <summary>
/// A script of tests/browser (installed by <c>npm ci</c>, which .ci/run does) driving Debian's Chromium through
/// playwright-core, run to its end: each JSON line it writes is one observation, read back by its <c>step</c>.
/// </summary>
public sealed class BrowserScript
{
    private readonly List<JsonElement> _steps = [];
    private readonly List<string> _log = [];

    private BrowserScript()
    {
    }

    /// <summary>Debian's package path unless <c>CHROMIUM_PATH</c> names another.</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public int ExitCode { get; private set; }

    /// <summary>The observation the script reported as <paramref name="step"/>; fails with everything it wrote when there is none.</summary>
    public JsonElement Step(string step) =>
        _steps.FirstOrDefault(s => s.TryGetProperty("step", out var name) && name.GetString() == step) is { ValueKind: JsonValueKind.Object } found
            ? found
            : throw new Xunit.Sdk.XunitException($"The browser script reported no '{step}'. It wrote:\n{Describe()}");

    /// <summary>Everything the script wrote, for a failure message.</summary>
    public string Describe() => string.Join('\n', _log);

    /// <summary>Runs <c>node <paramref name="script"/></c> in tests/browser and waits for it to end.</summary>
    public static async Task<BrowserScript> RunAsync(string script, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var directory = Path.Combine(RepositoryRoot(), "tests", "browser");
        if (!Directory.Exists(Path.Combine(directory, "node_modules", "playwright-core")))
        {
            throw new InvalidOperationException("playwright-core is not installed: run 'npm ci' in tests/browser (.ci/run does).");
        }

        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"No Chromium at {ChromiumPath}: install Debian's 'chromium' package (.ci/run does), or set CHROMIUM_PATH.");
        }

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["CHROMIUM_PATH"] = ChromiumPath;
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var run = new BrowserScript();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        process.OutputDataReceived += (_, line) => run.Read(line.Data, stdout: true);
        process.ErrorDataReceived += (_, line) => run.Read(line.Data, stdout: false);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            // Chromium is node's child: the whole tree goes, so no browser outlives a hung run.
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The browser script ran longer than {timeout.TotalSeconds} s. It wrote:\n{run.Describe()}");
        }

        process.WaitForExit(); // drains the output readers
        run.ExitCode = process.ExitCode;
        return run;
    }

    private void Read(string? line, bool stdout)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        lock (_log)
        {
            _log.Add(stdout ? line : "stderr: " + line);
            if (stdout && line.StartsWith('{'))
            {
                try
                {
                    _steps.Add(JsonDocument.Parse(line).RootElement.Clone());
                }
                catch (JsonException)
                {
                    // Kept in the log only.
                }
            }
        }
    }

    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "RoamingHub.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The tests run outside the repository: RoamingHub.sln was not found above " + AppContext.BaseDirectory);
    }
}
