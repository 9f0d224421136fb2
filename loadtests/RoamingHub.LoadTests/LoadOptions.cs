using System.Net;
using System.Text;

namespace RoamingHub.LoadTests;

/// <summary>The scenarios the load generator runs.</summary>
internal enum LoadScenario
{
    /// <summary>Open N authenticated connections with a ramp and hold them.</summary>
    Connections,

    /// <summary>One device per user pins and unpins; the user's other devices time the event.</summary>
    PinFanout,

    /// <summary>Random pairs of users send messages; every device of both sides times the delivery.</summary>
    Messages,

    /// <summary>Conversation lists and history pages read from seeded users.</summary>
    Fetch,

    /// <summary>Sends, pins, list reads and history reads together, by weight.</summary>
    Mixed,

    /// <summary>Members of large groups send to them; every device of every member times the delivery.</summary>
    GroupMessages,
}

/// <summary>The servers a run drives.</summary>
internal enum LoadTarget
{
    /// <summary>RoamingHub nodes, through the typed .NET client with MessagePack.</summary>
    RoamingHub,

    /// <summary>The Socket.IO peer in loadtests/socketio-peer (pin-fanout only), through a minimal Socket.IO client.</summary>
    SocketIo,

    /// <summary>
    /// Bare SignalR with no store, in loadtests/SignalRFloor (pin-fanout only), through the same .NET client as
    /// RoamingHub: what the framework alone costs per pin, connect and idle connection on this machine.
    /// </summary>
    Floor,
}

/// <summary>
/// Everything one run needs. Defaults are the target conditions for each scenario where it names them, so a
/// bare <c>--scenario pin-fanout</c> measures the pin target; <see cref="ForScenario"/> fills them in.
/// </summary>
internal sealed record LoadOptions
{
    /// <summary>The admin key shipped in appsettings.Development.json, for a local Development server.</summary>
    public const string DevelopmentAdminApiKey = "dev-only-admin-key";

    /// <summary>Longest measured phase (or hold) a run accepts, so no run can go on unattended.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromMinutes(30);

    public required LoadScenario Scenario { get; init; }

    /// <summary>What the nodes are: RoamingHub, or the Socket.IO peer it is compared with.</summary>
    public LoadTarget Target { get; init; } = LoadTarget.RoamingHub;

    /// <summary>The HS256 secret the Socket.IO peer verifies tokens with; the generator signs the peer's tokens with it.</summary>
    public string PeerSecret { get; init; } = Fleet.PeerTokens.DevelopmentSecret;

    /// <summary>Nodes to drive; devices are spread round-robin across them. Loopback only.</summary>
    public IReadOnlyList<Uri> Nodes { get; init; } = [new("http://127.0.0.1:5080")];

    public string AdminApiKey { get; init; } = DevelopmentAdminApiKey;

    /// <summary>Names every user of this run (<c>{RunId}-u{n}</c>), so runs against one store never meet.</summary>
    public string RunId { get; init; } = "lt" + Guid.NewGuid().ToString("N")[..8];

    public int Users { get; init; }

    public int DevicesPerUser { get; init; }

    /// <summary><c>connections</c>: connections to open; users are this divided by <see cref="DevicesPerUser"/>.</summary>
    public int Connections { get; init; }

    /// <summary>Connections opened per second while building the fleet.</summary>
    public double RampRate { get; init; } = 500;

    /// <summary>Operations per second: pins, messages, or (mixed) all operations together.</summary>
    public double Rate { get; init; }

    /// <summary><c>fetch</c>: <c>FetchConversations</c> per second.</summary>
    public double ConversationsRate { get; init; } = 2000;

    /// <summary><c>fetch</c>: <c>FetchHistoryMessages</c> per second.</summary>
    public double HistoryRate { get; init; } = 1000;

    /// <summary>Measured time of each phase (the hold, for <c>connections</c>).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Load offered before the measured phase and left out of its figures: long enough for tiered compilation and the
    /// first collections after connecting (which promote every connection's state) to pass, which took 20–30 s here.
    /// </summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <c>pin-fanout</c>: how long to hold the connections idle after the pins, to measure what an idle connection
    /// costs each process (none by default).
    /// </summary>
    public TimeSpan Idle { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// Count the top-level Redis commands of a few sequential operations before the load (with <see cref="Redis"/>).
    /// Off for cold runs, whose pins start as soon as the last connection is open.
    /// </summary>
    public bool RoundTripProbe { get; init; } = true;

    /// <summary>
    /// Watch the GC pauses of the generator and the nodes (an in-process listener, an EventPipe session per .NET node,
    /// the peer's <c>/gc</c>); off only to measure what watching costs.
    /// </summary>
    public bool GcProbes { get; init; } = true;

    /// <summary>How long to wait after the last operation for deliveries still on their way.</summary>
    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Stops a phase after this many operations even when its duration has not run out.</summary>
    public long? MaxOperations { get; init; }

    /// <summary>Operations allowed in flight at once; past it an operation is counted as <c>LOADGEN_BACKLOG</c>.</summary>
    public int MaxInFlight { get; init; } = 50_000;

    public TimeSpan InvocationTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>UTF-8 bytes of each message body.</summary>
    public int BodyBytes { get; init; } = 100;

    /// <summary><c>messages</c>: extra devices, one each for the first users, that handshake and then never read.</summary>
    public int StuckReaders { get; init; }

    /// <summary><c>fetch</c>: conversations in each reader's list.</summary>
    public int ConversationsPerUser { get; init; } = 100;

    /// <summary><c>fetch</c>: messages in each conversation that history reads.</summary>
    public int MessagesPerConversation { get; init; } = 1000;

    /// <summary><c>group-messages</c>: members of each group (the users are split into groups this size).</summary>
    public int GroupSize { get; init; }

    /// <summary>
    /// <c>group-messages</c>: when above 0, only the first this many members of the first group send, from any of
    /// their devices (on any node), as one user flooding a large group does; 0: any member of any group.
    /// </summary>
    public int Senders { get; init; }

    /// <summary><c>mixed</c>: weights of send, pin, fetch-conversations and fetch-history.</summary>
    public MixWeights Mix { get; init; } = new(Send: 50, Pin: 10, Conversations: 25, History: 15);

    /// <summary>Redis the nodes use, for <c>INFO commandstats</c> and the <c>redis-benchmark</c> comparison.</summary>
    public string? Redis { get; init; }

    /// <summary>Run <c>redis-benchmark</c> against <see cref="Redis"/> after the scenario, when it is on PATH.</summary>
    public bool RedisBenchmark { get; init; } = true;

    /// <summary>Server process ids, for working-set memory and CPU.</summary>
    public IReadOnlyList<int> ServerPids { get; init; } = [];

    /// <summary>Where the JSON result goes; none when null.</summary>
    public string? OutputPath { get; init; }

    /// <summary>Fills in the scenario's defaults for what was not given, then checks the whole.</summary>
    public LoadOptions ForScenario()
    {
        var withDefaults = Scenario switch
        {
            LoadScenario.Connections => this with
            {
                DevicesPerUser = Or(DevicesPerUser, 1),
                Connections = Or(Connections, 10_000),
            },
            LoadScenario.PinFanout => this with { Users = Or(Users, 2000), DevicesPerUser = Or(DevicesPerUser, 3), Rate = Or(Rate, 1000) },
            LoadScenario.Messages => this with { Users = Or(Users, 1000), DevicesPerUser = Or(DevicesPerUser, 2), Rate = Or(Rate, 5000) },
            LoadScenario.Fetch => this with { Users = Or(Users, 200), DevicesPerUser = Or(DevicesPerUser, 1) },
            LoadScenario.Mixed => this with { Users = Or(Users, 1000), DevicesPerUser = Or(DevicesPerUser, 2), Rate = Or(Rate, 1000) },
            // Two groups of 500 (the server's largest), four messages a second: 2,000 pushes a second, about 1,000 a
            // second to each group, within the send limit's defaults for a group (2,000 recipients a second, burst
            // 4,000) and for a random sender (1,000 a second, burst 2,000).
            LoadScenario.GroupMessages => this with { Users = Or(Users, 1000), DevicesPerUser = Or(DevicesPerUser, 1), Rate = Or(Rate, 4), GroupSize = Or(GroupSize, 500) },
            _ => throw new ArgumentOutOfRangeException(nameof(Scenario)),
        };
        withDefaults.Validate();
        return withDefaults;
    }

    private void Validate()
    {
        if (Nodes.Count == 0)
        {
            throw new ArgumentException("At least one node URL is required.");
        }

        foreach (var node in Nodes)
        {
            if (node.Scheme is not ("http" or "https") || !IsLoopback(node.Host))
            {
                throw new ArgumentException($"{node} is not a loopback http(s) address: load goes only to 127.0.0.0/8, localhost or ::1.");
            }
        }

        if (Redis is not null && !IsLoopback(RedisHost(Redis).Host))
        {
            throw new ArgumentException($"Redis at {Redis} is not on loopback.");
        }

        Require(DevicesPerUser is >= 1 and <= 10, "--devices-per-user must be 1 to 10 (the server's default connection limit per user).");
        Require(Scenario == LoadScenario.Connections ? Connections >= 1 : Users >= 2, "there must be at least one connection and at least two users.");
        Require(Duration > TimeSpan.Zero && Duration <= MaxDuration, $"--duration must be above 0 and at most {MaxDuration}.");
        Require(WarmUp >= TimeSpan.Zero && WarmUp <= MaxDuration, "--warmup must be 0 to 30 minutes.");
        Require(Drain >= TimeSpan.Zero && Drain <= TimeSpan.FromMinutes(5), "--drain must be 0 to 5 minutes.");
        Require(RampRate > 0 && Rate >= 0 && ConversationsRate >= 0 && HistoryRate >= 0, "rates must not be negative, and the ramp must be positive.");
        Require(BodyBytes is >= 16 and <= 8192, "--body-bytes must be 16 to 8192.");
        Require(ConversationsPerUser >= 1 && MessagesPerConversation >= 1, "conversation and message counts must be positive.");
        Require(Scenario != LoadScenario.Fetch || Users >= ConversationsPerUser + 1, "fetch needs more users than conversations per user: users talk to each other.");
        Require(MaxInFlight >= 1 && MaxOperations is null or >= 1, "--max-in-flight and --max-operations must be positive.");
        Require(Mix.Total > 0, "--mix needs at least one positive weight.");
        Require(Target == LoadTarget.RoamingHub || Scenario == LoadScenario.PinFanout, "--target socketio and --target floor run pin-fanout only: they do nothing else.");
        Require(Encoding.UTF8.GetByteCount(PeerSecret) >= 32, "--peer-secret must be at least 32 bytes, as the peer requires.");
        Require(Idle >= TimeSpan.Zero && Idle <= MaxDuration, "--idle must be 0 to 30 minutes.");
        Require(Scenario != LoadScenario.GroupMessages || (GroupSize >= 2 && GroupSize <= Users), "--group-size must be 2 to --users: each group is that many users.");
        Require(Senders == 0 || (Scenario == LoadScenario.GroupMessages && Senders > 0 && Senders <= GroupSize), "--senders is for group-messages: 1 to --group-size (0, the default: every member).");
        Require(StuckReaders == 0 || (Scenario == LoadScenario.Messages && StuckReaders <= Users), "--stuck-readers is for messages, and at most one per user.");
    }

    /// <summary>True for 127.0.0.0/8, ::1 and <c>localhost</c>: the only addresses this tool sends load to.</summary>
    public static bool IsLoopback(string host)
    {
        var bare = host.Trim('[', ']');
        return string.Equals(bare, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(bare, out var address) && IPAddress.IsLoopback(address));
    }

    /// <summary>Host and port of the first endpoint of a StackExchange.Redis connection string.</summary>
    public static (string Host, int Port) RedisHost(string connectionString)
    {
        var endpoint = connectionString.Split(',')[0].Trim();
        var colon = endpoint.LastIndexOf(':');
        return colon > 0 && !endpoint.EndsWith(']')
            ? (endpoint[..colon], int.Parse(endpoint[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture))
            : (endpoint, 6379);
    }

    private static int Or(int value, int fallback) => value > 0 ? value : fallback;

    private static double Or(double value, double fallback) => value > 0 ? value : fallback;

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}

/// <summary>Relative weights of the operations of the <c>mixed</c> scenario.</summary>
internal sealed record MixWeights(int Send, int Pin, int Conversations, int History)
{
    public int Total => Send + Pin + Conversations + History;
}
