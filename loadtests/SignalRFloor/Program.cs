// The floor under RoamingHub's CPU per pin, per connect and per idle connection: what ASP.NET Core SignalR itself
// costs on this machine for the same work, with nothing of RoamingHub's own. It serves the hub path, the token route
// and the three hub methods the pin-fanout scenario calls, with the same wire types, JWT validation, protocols and
// one-invocation-at-a-time setting as the server, and fans a pin out as the server does: to the user's other
// connections on this node at once, and through one Redis channel to the other nodes. It stores nothing: a user's
// seq is a counter on the node its pinning device is on, which is all the scenario needs. Loopback load tests only
// (TARGET=floor loadtests/run-local.sh).
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using MessagePack;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using RoamingHub.Contracts;
using StackExchange.Redis;

namespace RoamingHub.SignalRFloor;

/// <summary>Starts a floor node: the hub, the token route and the health routes.</summary>
public static class FloorProgram
{
    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var signingKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(
            builder.Configuration["Auth:SigningKey"] is { Length: >= 32 } key ? key : throw new InvalidOperationException("Auth:SigningKey must be set (32 bytes or more).")));
        var adminKey = builder.Configuration["Auth:AdminApiKey"] is { Length: >= 16 } admin ? admin : throw new InvalidOperationException("Auth:AdminApiKey must be set.");

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(jwt =>
        {
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = Floor.Issuer,
                ValidAudience = Floor.Issuer,
                IssuerSigningKey = signingKey,
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                NameClaimType = JwtRegisteredClaimNames.Sub,
            };
        });
        builder.Services.AddAuthorization();
        builder.Services.AddSignalR(options => options.MaximumParallelInvocationsPerClient = 1)
            .AddJsonProtocol(options => options.PayloadSerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase)
            .AddMessagePackProtocol();
        if (builder.Configuration.GetConnectionString("Redis") is { Length: > 0 } redis)
        {
            builder.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(redis));
            builder.Services.AddSingleton<FloorBus>();
            builder.Services.AddHostedService(services => services.GetRequiredService<FloorBus>());
        }

        builder.Services.AddSingleton<FloorSeqs>();

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/healthz", () => "alive");
        app.MapGet("/readyz", () => "ready");
        var tokens = new JsonWebTokenHandler();
        app.MapPost(AdminApi.Tokens, (HttpContext http, IssueTokenRequest request) =>
        {
            if (http.Request.Headers[AdminApi.ApiKeyHeader] != adminKey || request.UserId is not { Length: > 0 } userId)
            {
                return Results.Unauthorized();
            }

            var expires = DateTimeOffset.UtcNow.AddHours(1);
            var token = tokens.CreateToken(new SecurityTokenDescriptor
            {
                Issuer = Floor.Issuer,
                Audience = Floor.Issuer,
                Subject = new ClaimsIdentity([new Claim(JwtRegisteredClaimNames.Sub, userId)]),
                Expires = expires.UtcDateTime,
                SigningCredentials = new SigningCredentials(signingKey, SecurityAlgorithms.HmacSha256),
            });
            return Results.Ok(new IssueTokenResponse { AccessToken = token, ExpiresAt = expires.ToUnixTimeMilliseconds() });
        });
        // As the server maps its hub (src/RoamingHub.Server/Hosting): the same transports, closed when the token expires.
        app.MapHub<FloorHub>(RoamingProtocol.HubPath, options =>
        {
            options.Transports = HttpTransportType.WebSockets | HttpTransportType.LongPolling;
            options.CloseOnAuthenticationExpiration = true;
        }).RequireAuthorization();
        app.Run();
    }
}

internal static class Floor
{
    public const string Issuer = "roaminghub";
    public const string Epoch = "floor";

    public static string UserOf(HubCallerContext context) =>
        context.User?.FindFirst(JwtRegisteredClaimNames.Sub)?.Value ?? throw new HubException("UNAUTHENTICATED");
}

/// <summary>Each user's last seq on this node.</summary>
internal sealed class FloorSeqs
{
    private readonly ConcurrentDictionary<string, StrongBox<long>> _seqs = new(StringComparer.Ordinal);

    public long Current(string user) => _seqs.TryGetValue(user, out var seq) ? Volatile.Read(ref seq.Value) : 0;

    public long Next(string user) => Interlocked.Increment(ref _seqs.GetOrAdd(user, _ => new StrongBox<long>()).Value);
}

/// <summary>The hub: a connection joins its user's group; a pin is pushed to the rest of the group on every node.</summary>
internal sealed class FloorHub(FloorSeqs seqs, FloorBus? bus = null) : Hub
{
    public override Task OnConnectedAsync() => Groups.AddToGroupAsync(Context.ConnectionId, Floor.UserOf(Context));

    public SyncState GetSyncState() => new() { LastSeq = seqs.Current(Floor.UserOf(Context)), Epoch = Floor.Epoch };

    public SyncEventsResult SyncEvents(SyncEventsRequest request) =>
        new() { LastSeq = Math.Max(request.SinceSeq, seqs.Current(Floor.UserOf(Context))), Epoch = Floor.Epoch };

    public PinResult PinConversation(PinConversationRequest request)
    {
        var user = Floor.UserOf(Context);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var pinnedTime = request.IsPinned ? now : (long?)null;
        var change = new MultiDeviceEvent
        {
            Seq = seqs.Next(user),
            Operation = request.IsPinned ? "pin" : "unpin",
            ConversationId = request.ConversationId ?? "",
            ChatType = request.ChatType ?? "",
            Timestamp = now,
            FromDeviceId = Context.GetHttpContext()?.Request.Query[RoamingProtocol.DeviceIdQueryParameter].ToString() ?? "",
            PinnedTime = pinnedTime,
            Epoch = Floor.Epoch,
        };
        bus?.Publish(new FloorPush(bus.NodeId, user, Context.ConnectionId, change));
        // Not awaited, as the server hands a push to each connection's outbox and answers: a slow reader holds up
        // neither the call nor anyone else.
        _ = Clients.GroupExcept(user, Context.ConnectionId).SendAsync(HubEvents.OnMultiDeviceEvent, change);
        return new PinResult { IsPinned = request.IsPinned, PinnedTime = pinnedTime, Seq = change.Seq, Epoch = Floor.Epoch };
    }
}

/// <summary>A pin on its way to the other nodes.</summary>
[MessagePackObject]
public sealed record FloorPush(
    [property: Key(0)] string Node,
    [property: Key(1)] string User,
    [property: Key(2)] string ExceptConnectionId,
    [property: Key(3)] MultiDeviceEvent Change);

/// <summary>One Redis channel between the nodes, as the server's delivery bus: publish once, each other node delivers locally.</summary>
internal sealed class FloorBus(IConnectionMultiplexer redis, IHubContext<FloorHub> hub, IConfiguration configuration) : BackgroundService
{
    /// <summary>The channel, after the server's key prefix setting (<c>Roaming:RedisKeyPrefix</c>) so tests sharing a Redis keep apart.</summary>
    private readonly RedisChannel _channel = RedisChannel.Literal(configuration["Roaming:RedisKeyPrefix"] + "floor:deliver");

    public string NodeId { get; } = Guid.NewGuid().ToString("N");

    public void Publish(FloorPush push) =>
        _ = redis.GetSubscriber().PublishAsync(_channel, MessagePackSerializer.Serialize(push), CommandFlags.FireAndForget);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var queue = await redis.GetSubscriber().SubscribeAsync(_channel).ConfigureAwait(false);
        queue.OnMessage(message =>
        {
            var push = MessagePackSerializer.Deserialize<FloorPush>((ReadOnlyMemory<byte>)message.Message);
            if (push.Node != NodeId)
            {
                // Not awaited: one slow connection must not hold up the channel's other deliveries.
                _ = hub.Clients.GroupExcept(push.User, push.ExceptConnectionId).SendAsync(HubEvents.OnMultiDeviceEvent, push.Change);
            }
        });
    }
}
