using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection;
using RoamingHub.Client;
using RoamingHub.Contracts;
using RoamingHub.Server.Auth;

namespace RoamingHub.Tests.Infrastructure;

/// <summary>
/// One real RoamingHub node: the server's own Program on Kestrel at a free loopback port, so clients connect over
/// real WebSockets. Two nodes given the same Redis and key prefix serve the same users.
/// </summary>
public sealed class RoamingNode : WebApplicationFactory<Program>
{
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly string _environment;
    private readonly Action<IServiceCollection>? _services;

    /// <summary>A node with <paramref name="settings"/>; <paramref name="services"/> may add to (or replace) its services, for example a startup filter that puts middleware in front.</summary>
    public RoamingNode(IReadOnlyDictionary<string, string?>? settings = null, string environment = "Development", Action<IServiceCollection>? services = null)
    {
        _settings = settings ?? new Dictionary<string, string?>();
        _environment = environment;
        _services = services;
        UseKestrel(0);
    }

    /// <summary>A node on the shared Redis under <paramref name="prefix"/>, with optional extra settings.</summary>
    public static RoamingNode OnRedis(string prefix, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = RedisServer.Instance.ConnectionString,
            ["Roaming:RedisKeyPrefix"] = prefix,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return new RoamingNode(settings);
    }

    public Uri BaseAddress
    {
        get
        {
            StartServer();
            var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        }
    }

    public HttpClient CreateHttpClient() => new() { BaseAddress = BaseAddress };

    /// <summary>Asks this node's admin API for a token of <paramref name="userId"/>.</summary>
    public Task<string> IssueTokenAsync(string userId) => IssueTokenAsync(BaseAddress, userId);

    /// <summary>Asks the admin API at <paramref name="baseAddress"/> for a token of <paramref name="userId"/>.</summary>
    public static async Task<string> IssueTokenAsync(Uri baseAddress, string userId)
    {
        using var http = new HttpClient { BaseAddress = baseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, AdminApi.Tokens) { Content = JsonContent.Create(new IssueTokenRequest { UserId = userId }) };
        request.Headers.Add(AdminApi.ApiKeyHeader, AuthOptions.SampleAdminApiKey);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<IssueTokenResponse>())!.AccessToken;
    }

    /// <summary>A started client for <paramref name="userId"/> on this node.</summary>
    public Task<RoamingHubClient> ConnectAsync(string userId, string? deviceId = null, RoamingHubProtocol protocol = RoamingHubProtocol.MessagePack, long? initialSeq = null) =>
        ConnectAsync(BaseAddress, userId, deviceId, protocol, initialSeq);

    /// <summary>
    /// A started client for <paramref name="userId"/> on the node at <paramref name="baseAddress"/>, with a token from
    /// that node's admin API or <paramref name="issuer"/>'s; it reconnects by itself when asked to.
    /// </summary>
    public static async Task<RoamingHubClient> ConnectAsync(
        Uri baseAddress, string userId, string? deviceId = null, RoamingHubProtocol protocol = RoamingHubProtocol.MessagePack, long? initialSeq = null, bool reconnect = false,
        Uri? issuer = null)
    {
        var token = await IssueTokenAsync(issuer ?? baseAddress, userId);
        var client = new RoamingHubClient(new RoamingHubClientOptions
        {
            ServerUrl = baseAddress,
            AccessTokenProvider = () => Task.FromResult<string?>(token),
            DeviceId = deviceId,
            Protocol = protocol,
            InitialSeq = initialSeq,
            AutomaticReconnect = reconnect,
            ReconnectDelays = [.. Enumerable.Repeat(TimeSpan.FromMilliseconds(250), 120)],
            SyncProbeInterval = TimeSpan.FromSeconds(2),
        });
        await client.StartAsync();
        return client;
    }

    /// <summary>Every log line the node wrote, with its exception, as text: for tests that check what is never logged.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
        builder.ConfigureLogging(logging => logging.AddProvider(new CapturingLoggerProvider(Logs)));
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        if (_services is not null)
        {
            builder.ConfigureServices(_services);
        }
    }
}

/// <summary>Keeps formatted log lines in memory, honouring the app's log-level configuration.</summary>
internal sealed class CapturingLoggerProvider(System.Collections.Concurrent.ConcurrentQueue<string> sink) : Microsoft.Extensions.Logging.ILoggerProvider
{
    public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => new Logger(categoryName, sink);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, System.Collections.Concurrent.ConcurrentQueue<string> sink) : Microsoft.Extensions.Logging.ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}
