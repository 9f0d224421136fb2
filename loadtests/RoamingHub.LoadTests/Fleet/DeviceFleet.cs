using System.Diagnostics;
using System.Net.Http.Json;
using RoamingHub.Client;
using RoamingHub.Contracts;
using RoamingHub.LoadTests.Measurement;

namespace RoamingHub.LoadTests.Fleet;

/// <summary>
/// The users and devices of a run, connected through the .NET client with MessagePack, or over Socket.IO to the peer.
/// Device <c>n</c> of the whole fleet goes to node <c>n mod nodes</c>, so with several nodes a user's devices land on
/// different nodes.
/// </summary>
internal sealed class DeviceFleet : IAsyncDisposable
{
    /// <summary>Token requests in flight at once: enough to keep a node busy without queueing thousands.</summary>
    private const int TokenConcurrency = 32;

    /// <summary>Connection attempts in flight at once while ramping.</summary>
    private const int ConnectConcurrency = 256;

    private readonly LoadOptions _options;
    private readonly Device?[][] _devices;
    private string[]? _tokens;

    private DeviceFleet(LoadOptions options, int users, int devicesPerUser)
    {
        _options = options;
        DevicesPerUser = devicesPerUser;
        _devices = [.. Enumerable.Range(0, users).Select(_ => new Device?[devicesPerUser])];
    }

    public int Users => _devices.Length;

    public int DevicesPerUser { get; }

    /// <summary>Time from a connection's due time to its client having started (handshake and first call done).</summary>
    public Latency ConnectLatency { get; } = new();

    public ErrorTally ConnectErrors { get; } = new();

    public int Connected => _devices.Sum(user => user.Count(d => d is not null));

    public IEnumerable<Device> All => _devices.SelectMany(user => user).OfType<Device>();

    public string UserId(int user) => UserIdOf(_options.RunId, user);

    public static string UserIdOf(string runId, int user) => $"{runId}-u{user}";

    /// <summary>The device, or null when it failed to connect.</summary>
    public Device? this[int user, int index] => _devices[user][index];

    public IEnumerable<Device> DevicesOf(int user) => _devices[user].OfType<Device>();

    /// <summary>
    /// Connect time: from the first connection's due time until the last attempt ended, in seconds. With a ramp faster
    /// than the server admits connections this is how long it took to open them all.
    /// </summary>
    public double ConnectSeconds { get; private set; }

    /// <summary>
    /// A fleet with every user's token in hand (from the admin API of RoamingHub, or signed here for the Socket.IO
    /// peer), so the connect clock that <see cref="ConnectAsync"/> starts measures connecting alone.
    /// </summary>
    public static async Task<DeviceFleet> CreateAsync(LoadOptions options, int users, int devicesPerUser, CancellationToken cancellationToken)
    {
        var fleet = new DeviceFleet(options, users, devicesPerUser);
        fleet._tokens = options.Target == LoadTarget.SocketIo
            ? [.. Enumerable.Range(0, users).Select(user => PeerTokens.Sign(options.PeerSecret, fleet.UserId(user), DateTimeOffset.UtcNow))]
            : await fleet.IssueTokensAsync(cancellationToken).ConfigureAwait(false);
        return fleet;
    }

    /// <summary>Connects every device (the first <paramref name="limit"/> when given) at <see cref="LoadOptions.RampRate"/> per second.</summary>
    public async Task ConnectAsync(int? limit, TextWriter log, CancellationToken cancellationToken)
    {
        var tokens = _tokens ?? throw new InvalidOperationException("CreateAsync issues the tokens first.");
        var total = Math.Min(limit ?? int.MaxValue, Users * DevicesPerUser);
        await log.WriteLineAsync($"  tokens: {Users} in hand; connecting {total} devices at {_options.RampRate}/s across {_options.Nodes.Count} node(s)").ConfigureAwait(false);

        using var slots = new SemaphoreSlim(ConnectConcurrency);
        var pending = new List<Task>(total);
        var start = Stopwatch.GetTimestamp();
        var ticksPerConnection = Stopwatch.Frequency / _options.RampRate;
        for (var n = 0; n < total; n++)
        {
            var due = start + (long)(n * ticksPerConnection);
            while (Stopwatch.GetTimestamp() < due)
            {
                await Task.Delay(1, cancellationToken).ConfigureAwait(false);
            }

            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            var (user, index) = (n / DevicesPerUser, n % DevicesPerUser);
            var node = _options.Nodes[n % _options.Nodes.Count];
            pending.Add(ConnectOneAsync(user, index, node, tokens[user], due, slots, cancellationToken));
            if ((n + 1) % 2000 == 0)
            {
                await log.WriteLineAsync($"  … {n + 1} connections started").ConfigureAwait(false);
            }
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
        ConnectSeconds = Math.Round(Stopwatch.GetElapsedTime(start).TotalSeconds, 2);
    }

    public async ValueTask DisposeAsync()
    {
        // Closing thousands of sockets at once makes the server's disconnect work one burst; a bounded pool keeps
        // the teardown of one run from spilling into the next measurement.
        using var slots = new SemaphoreSlim(ConnectConcurrency);
        await Task.WhenAll(All.Select(async device =>
        {
            await slots.WaitAsync().ConfigureAwait(false);
            try
            {
                await device.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // A device whose connection already failed has nothing left to close.
            }
            finally
            {
                slots.Release();
            }
        })).ConfigureAwait(false);
    }

    /// <summary>
    /// Opens one device and counts it connected once it could make calls: for RoamingHub the client's start (the hub
    /// handshake, admission and <c>GetSyncState</c>, as every RoamingHub client does); for the peer the Socket.IO
    /// CONNECT (its JWT checked there) and a <c>sync</c> call, the peer's <c>GetSyncState</c>.
    /// </summary>
    private async Task ConnectOneAsync(int user, int index, Uri node, string token, long due, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        Device? device = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.InvocationTimeout * 3);
            if (_options.Target == LoadTarget.SocketIo)
            {
                device = new Device(user, index, node);
                var socket = await SocketIoConnection.ConnectAsync(node, token, $"d{index}", _options.InvocationTimeout, device.RecordEvent, timeout.Token).ConfigureAwait(false);
                device.Attach(socket);
                await socket.CallAsync("sync", null).ConfigureAwait(false);
            }
            else
            {
                device = new Device(user, index, node, new RoamingHubClient(new RoamingHubClientOptions
                {
                    ServerUrl = node,
                    AccessTokenProvider = () => Task.FromResult<string?>(token),
                    DeviceId = $"d{index}",
                    Protocol = RoamingHubProtocol.MessagePack,
                    // A dropped connection is a failure to count, not something to paper over mid-run.
                    AutomaticReconnect = false,
                    InvocationTimeout = _options.InvocationTimeout,
                }));
                await device.Client.StartAsync(timeout.Token).ConfigureAwait(false);
            }

            ConnectLatency.Record(due, Stopwatch.GetTimestamp());
            _devices[user][index] = device;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            ConnectErrors.Add(ex);
            if (device is not null)
            {
                await device.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task<string[]> IssueTokensAsync(CancellationToken cancellationToken)
    {
        var tokens = new string[Users];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await Parallel.ForEachAsync(
            Enumerable.Range(0, Users),
            new ParallelOptions { MaxDegreeOfParallelism = TokenConcurrency, CancellationToken = cancellationToken },
            async (user, ct) =>
            {
                var node = _options.Nodes[user % _options.Nodes.Count];
                using var response = await AdminRequests.PostAsync(
                    http, node, AdminApi.Tokens, new IssueTokenRequest { UserId = UserId(user) }, _options.AdminApiKey, ct).ConfigureAwait(false);
                var issued = await response.Content.ReadFromJsonAsync<IssueTokenResponse>(ct).ConfigureAwait(false);
                tokens[user] = issued?.AccessToken ?? throw new InvalidOperationException("The token response was empty.");
            }).ConfigureAwait(false);
        return tokens;
    }
}
