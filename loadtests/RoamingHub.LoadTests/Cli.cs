using System.Globalization;
using RoamingHub.LoadTests.Reporting;

namespace RoamingHub.LoadTests;

/// <summary>The command line: <c>--name value</c> options into <see cref="LoadOptions"/>, a table on stdout, a JSON file.</summary>
internal static class Cli
{
    private const string Usage = """
        RoamingHub load generator: drives running RoamingHub nodes on this machine (loopback only) through the .NET client.

        usage: dotnet run -c Release --project loadtests/RoamingHub.LoadTests -- --scenario NAME [options]
               dotnet run -c Release --project loadtests/RoamingHub.LoadTests -- --compare RESULT.json...
                 (medians and ranges of runs against each target, side by side; loadtests/side-by-side.sh runs it)

          --scenario               connections | pin-fanout | messages | fetch | mixed | group-messages (required)
          --target                 roaminghub | socketio | floor: the nodes are RoamingHub, the Socket.IO peer of
                                   loadtests/socketio-peer, or bare SignalR of loadtests/SignalRFloor (pin-fanout
                                   only) (roaminghub)
          --peer-secret            HS256 secret the peer was started with; the generator signs its tokens (the dev secret)
          --nodes                  node URLs, comma-separated; devices go round-robin across them (http://127.0.0.1:5080)
          --admin-key              X-Api-Key for POST /api/tokens (the Development sample key)
          --users                  users (pin-fanout 2000, messages 1000, fetch 200, mixed 1000, group-messages 1000)
          --devices-per-user       devices each user connects (connections 1, pin-fanout 3, messages 2, fetch 1, mixed 2,
                                   group-messages 1)
          --connections            connections: how many to open (10000)
          --ramp                   connections opened per second (500)
          --rate                   operations per second: pins, messages, or all of mixed (1000, 5000, -, 1000; group-messages 4)
          --conversations-rate     fetch: FetchConversations per second (2000)
          --history-rate           fetch: FetchHistoryMessages per second (1000)
          --duration               seconds measured per phase, or held for connections (60; at most 1800)
          --warmup                 seconds of load before each measured phase, left out of the figures (30)
          --drain                  seconds to wait for pushes after the last operation (5)
          --idle                   pin-fanout: seconds to hold the connections idle after the pins, for their idle cost (0)
          --no-round-trip-probe    skip the MONITOR count of top-level Redis commands before the load (cold runs)
          --no-gc-probe            do not watch GC pauses (to measure what watching them costs)
          --max-operations         stop a phase after this many operations
          --max-in-flight          operations in flight before new ones count as LOADGEN_BACKLOG (50000)
          --timeout                seconds before an invocation counts as TIMEOUT (10)
          --body-bytes             message body size (100)
          --stuck-readers          messages: devices (one per user, from the first) that never read what they are sent (0)
          --conversations-per-user fetch: conversations in each reader's list (100)
          --messages-per-conversation fetch: messages in the conversation history reads (1000)
          --group-size             group-messages: members of each group; the users are split into groups this size (500)
          --senders                group-messages: only the first N members of the first group send, from any of their
                                   devices, as one user flooding a group does (0: any member of any group)
          --mix                    mixed: weights send,pin,conversations,history (50,10,25,15)
          --redis                  the nodes' Redis (host:port) for INFO commandstats, MONITOR and redis-benchmark
          --no-redis-benchmark     skip the redis-benchmark comparison
          --server-pid             server process ids, comma-separated, for memory and CPU
          --run-id                 prefix of this run's user ids (random)
          --out                    JSON result path (loadtests/results/SCENARIO-TIME.json)

        Exit code 0 when nothing failed, was lost or was duplicated; 1 otherwise; 2 for bad options.
        """;

    public static async Task<int> Main(string[] args)
    {
        if (args is ["--compare", .. var files])
        {
            return files.Length == 0 ? 2 : await SideBySide.CompareFilesAsync(files, Console.Out).ConfigureAwait(false);
        }

        LoadOptions options;
        try
        {
            options = Parse(args);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException)
        {
            await Console.Error.WriteLineAsync(ex.Message + Environment.NewLine + Environment.NewLine + Usage).ConfigureAwait(false);
            return 2;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        LoadResult result;
        try
        {
            result = await LoadRunner.RunAsync(options, Console.Out, cancel.Token).ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return 2;
        }

        ReportWriter.Write(result, Console.Out);
        if (options.OutputPath is { } path)
        {
            Console.WriteLine($"   JSON: {path}");
        }

        return result.Errors + result.Lost + result.Duplicated == 0 ? 0 : 1;
    }

    internal static LoadOptions Parse(string[] args)
    {
        if (args.Length == 0 || args.Contains("--help") || args.Contains("-h"))
        {
            throw new ArgumentException("");
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{name}'.");
            }

            if (name is "--no-redis-benchmark" or "--no-round-trip-probe" or "--no-gc-probe")
            {
                values[name] = "true";
            }
            else if (i + 1 < args.Length)
            {
                values[name] = args[++i];
            }
            else
            {
                throw new ArgumentException($"{name} needs a value.");
            }
        }

        string? Get(string name) => values.Remove(name, out var value) ? value : null;
        int Int(string name) => Get(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : 0;
        double Double(string name, double fallback) => Get(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
        TimeSpan Seconds(string name, double fallback) => TimeSpan.FromSeconds(Double(name, fallback));

        var scenario = Get("--scenario") switch
        {
            "connections" => LoadScenario.Connections,
            "pin-fanout" => LoadScenario.PinFanout,
            "messages" => LoadScenario.Messages,
            "fetch" => LoadScenario.Fetch,
            "mixed" => LoadScenario.Mixed,
            "group-messages" => LoadScenario.GroupMessages,
            var other => throw new ArgumentException($"Unknown or missing --scenario '{other}'."),
        };
        var defaults = new LoadOptions { Scenario = scenario };
        var mix = Get("--mix")?.Split(',').Select(w => int.Parse(w, CultureInfo.InvariantCulture)).ToArray();
        var options = defaults with
        {
            Target = Get("--target") switch
            {
                null or "roaminghub" => LoadTarget.RoamingHub,
                "socketio" => LoadTarget.SocketIo,
                "floor" => LoadTarget.Floor,
                var other => throw new ArgumentException($"Unknown --target '{other}': roaminghub, socketio or floor."),
            },
            PeerSecret = Get("--peer-secret") ?? defaults.PeerSecret,
            Idle = Seconds("--idle", 0),
            RoundTripProbe = Get("--no-round-trip-probe") is null,
            GcProbes = Get("--no-gc-probe") is null,
            Nodes = Get("--nodes") is { } nodes ? [.. nodes.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(n => new Uri(n.Trim()))] : defaults.Nodes,
            AdminApiKey = Get("--admin-key") ?? defaults.AdminApiKey,
            RunId = Get("--run-id") ?? defaults.RunId,
            Users = Int("--users"),
            DevicesPerUser = Int("--devices-per-user"),
            Connections = Int("--connections"),
            RampRate = Double("--ramp", defaults.RampRate),
            Rate = Double("--rate", 0),
            ConversationsRate = Double("--conversations-rate", defaults.ConversationsRate),
            HistoryRate = Double("--history-rate", defaults.HistoryRate),
            Duration = Seconds("--duration", defaults.Duration.TotalSeconds),
            WarmUp = Seconds("--warmup", defaults.WarmUp.TotalSeconds),
            Drain = Seconds("--drain", defaults.Drain.TotalSeconds),
            MaxOperations = Get("--max-operations") is { } max ? long.Parse(max, CultureInfo.InvariantCulture) : null,
            MaxInFlight = Get("--max-in-flight") is { } inFlight ? int.Parse(inFlight, CultureInfo.InvariantCulture) : defaults.MaxInFlight,
            InvocationTimeout = Seconds("--timeout", defaults.InvocationTimeout.TotalSeconds),
            BodyBytes = Get("--body-bytes") is { } body ? int.Parse(body, CultureInfo.InvariantCulture) : defaults.BodyBytes,
            StuckReaders = Get("--stuck-readers") is { } stuck ? int.Parse(stuck, CultureInfo.InvariantCulture) : defaults.StuckReaders,
            ConversationsPerUser = Get("--conversations-per-user") is { } c ? int.Parse(c, CultureInfo.InvariantCulture) : defaults.ConversationsPerUser,
            GroupSize = Int("--group-size"),
            Senders = Int("--senders"),
            MessagesPerConversation = Get("--messages-per-conversation") is { } m ? int.Parse(m, CultureInfo.InvariantCulture) : defaults.MessagesPerConversation,
            Mix = mix is [var send, var pin, var conversations, var history] ? new MixWeights(send, pin, conversations, history)
                : mix is null ? defaults.Mix : throw new ArgumentException("--mix takes four weights: send,pin,conversations,history."),
            Redis = Get("--redis"),
            RedisBenchmark = Get("--no-redis-benchmark") is null,
            ServerPids = Get("--server-pid") is { } pids ? [.. pids.Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture))] : [],
        };
        var output = Get("--out") ?? Path.Combine("loadtests", "results", $"{LoadRunner.Name(scenario)}-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        if (values.Count > 0)
        {
            throw new ArgumentException($"Unknown option(s): {string.Join(", ", values.Keys)}.");
        }

        return (options with { OutputPath = output }).ForScenario();
    }
}
