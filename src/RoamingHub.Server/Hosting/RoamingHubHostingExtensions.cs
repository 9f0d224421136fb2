using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using RoamingHub.Server.Api;
using RoamingHub.Server.Auth;
using RoamingHub.Server.Features;
using RoamingHub.Server.Features.Connections;
using RoamingHub.Server.Diagnostics;
using RoamingHub.Server.Hubs;
using RoamingHub.Server.Hubs.Delivery;
using RoamingHub.Server.Settings;
using RoamingHub.Server.Storage;
using RoamingHub.Server.Storage.InMemory;
using RoamingHub.Server.Storage.Redis;
using StackExchange.Redis;

namespace RoamingHub.Server.Hosting;

/// <summary>Wires RoamingHub into a web application: services in <see cref="AddRoamingHub"/>, endpoints in <see cref="MapRoamingHub"/>.</summary>
internal static class RoamingHubHostingExtensions
{
    public const string RedisConnectionName = "Redis";

    /// <summary>
    /// Largest hub frame a client may send: a maximal message body, even with every byte JSON-escaped (6 bytes each),
    /// plus its envelope; never below 64 KiB.
    /// </summary>
    public static long MaximumReceiveMessageSizeFor(RoamingOptions options) =>
        Math.Max(64 * 1024, (6L * options.MaxMessageBodyBytes) + (16 * 1024));

    public static WebApplicationBuilder AddRoamingHub(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var redis = builder.Configuration.GetConnectionString(RedisConnectionName);
        var onRedis = !string.IsNullOrWhiteSpace(redis);
        // The generated validator checks every declared range, the nested Roaming:RateLimit ones included.
        services.AddSingleton<IValidateOptions<RoamingOptions>, RoamingOptionsValidator>();
        services.AddOptions<RoamingOptions>().BindConfiguration(RoamingOptions.Section)
            .Validate(o => o.MaxPinnedConversations < o.MaxConversationsPerUser, "Roaming:MaxPinnedConversations must be below Roaming:MaxConversationsPerUser.")
            .Validate(
                o => o.IdempotencyWindow > TimeSpan.Zero && o.ListCursorLifetime > TimeSpan.Zero && o.StoreTimeout > TimeSpan.Zero
                    && o.EventLogRetention >= TimeSpan.FromMinutes(1),
                "Roaming:IdempotencyWindow, Roaming:ListCursorLifetime and Roaming:StoreTimeout must be positive, Roaming:EventLogRetention at least a minute.")
            .Validate(
                o => o.NodeHeartbeatInterval >= TimeSpan.FromMilliseconds(100) && o.NodeTimeout >= 3 * o.NodeHeartbeatInterval
                    && o.PresenceRewriteInterval >= o.NodeTimeout,
                "Roaming:NodeHeartbeatInterval must be at least 100 ms, Roaming:NodeTimeout at least three heartbeats, Roaming:PresenceRewriteInterval at least Roaming:NodeTimeout.")
            .Validate(o => !(o.UseEmbeddedStore && onRedis), "Roaming:UseEmbeddedStore is true but ConnectionStrings:Redis is set too: a node runs on one store, so remove one of them.")
            .Validate<IHostEnvironment>(
                (o, environment) => onRedis || o.UseEmbeddedStore || environment.IsDevelopment(),
                "No ConnectionStrings:Redis is set. Outside Development set it, or set Roaming:UseEmbeddedStore=true to run a single node on the embedded in-memory store, whose state is lost when the process stops.")
            .ValidateOnStart();
        // Binding failures throw, so the exception handler answers them with a code like every other error.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        // Every time the server uses comes from here; a host (or a test) may register its own first.
        services.TryAddSingleton(TimeProvider.System);

        services.AddMediator((Mediator.MediatorOptions options) =>
        {
            options.ServiceLifetime = ServiceLifetime.Singleton;
            options.PipelineBehaviors = [typeof(Features.Behaviors.TracingBehavior<,>), typeof(Features.Behaviors.IdempotencyBehavior<,>)];
        });
        services.AddSingleton<TokenIssuer>();
        services.AddSingleton<LocalConnections>();
        services.AddSingleton<StreamResumer>();
        services.AddSingleton<IDeviceNotifier>(sp => new DeviceNotifier(sp.GetRequiredService<LocalConnections>(), sp.GetService<RedisDeliveryBus>()));
        services.AddSingleton<ConnectionRegistry>();
        services.AddSingleton<RateLimitFilter>();
        services.AddSingleton<NodePresence>();
        services.AddHostedService<NodeHeartbeat>();
        services.AddHostedService<PresenceRewriter>();
        services.AddExceptionHandler<ErrorResponses>();
        services.AddProblemDetails(options => options.CustomizeProblemDetails = ErrorResponses.AddMissingCode);
        services.AddAdminApiDescription();

        AddAuthentication(services);
        builder.AddRoamingTelemetry();

        services.AddSignalR(options =>
            {
                // One invocation at a time per connection keeps a device's commands in the order it sent them.
                options.MaximumParallelInvocationsPerClient = 1;
                options.AddFilter<HubErrorFilter>();
                options.AddFilter<HubTelemetryFilter>();
                options.AddFilter<RateLimitFilter>();
            })
            .AddJsonProtocol(options =>
            {
                options.PayloadSerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
                options.PayloadSerializerOptions.TypeInfoResolver = UnknownFields.RefusedBy(options.PayloadSerializerOptions.TypeInfoResolver);
            })
            .AddMessagePackProtocol(options => options.SerializerOptions = UnknownFields.RefusedBy(options.SerializerOptions));
        services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.TypeInfoResolver = UnknownFields.RefusedBy(options.SerializerOptions.TypeInfoResolver));
        CodedErrorProtocol.Decorate<DeviceHub>(services);
        services.AddOptions<HubOptions>().Configure<IOptions<RoamingOptions>>((hub, roaming) =>
            hub.MaximumReceiveMessageSize = MaximumReceiveMessageSizeFor(roaming.Value));

        var storeTimeout = builder.Configuration.GetSection(RoamingOptions.Section).Get<RoamingOptions>()?.StoreTimeout ?? new RoamingOptions().StoreTimeout;
        services.AddHealthChecks();
        if (string.IsNullOrWhiteSpace(redis))
        {
            services.AddInMemoryStorage();
        }
        else
        {
            services.AddRedisStorage(redis, storeTimeout);
            // Our own delivery channel, not SignalR's backplane: one publish per change instead of one per user, and
            // one subscription per node instead of one per connection (docs/architecture.md, "Delivery").
            services.AddSingleton<RedisDeliveryBus>();
            services.AddHostedService(sp => sp.GetRequiredService<RedisDeliveryBus>());
            // The store scripts that can publish their entry's push do, under this node's id.
            services.AddSingleton<Storage.Redis.IEntryPublisher, DeliveryEntryPublisher>();
        }

        return builder;
    }

    public static WebApplication MapRoamingHub(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("RoamingHub");
        if (app.Services.GetService<IConnectionMultiplexer>() is null)
        {
            Log.StoreSelected(logger, "embedded in-memory", "No ConnectionStrings:Redis is set: state lives in this process only and pushes reach only its own connections, so run a single node.");
        }
        else
        {
            Log.StoreSelected(logger, "Redis", "State and the delivery channel between nodes are in Redis; any number of nodes can serve the same users.");
        }

        app.UseExceptionHandler();
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/api"), api =>
        {
            api.UseStatusCodePages(ErrorResponses.WriteStatusCodeProblemAsync);
            api.Use(AdminEndpoints.RequireAdminKey);
        });
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapRoamingTelemetry();

        // Alive while the process runs (no check is asked); ready while every check passes, which for Redis is a ping.
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = (context, _) => WriteHealthAsync(context, "alive") });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { ResponseWriter = (context, report) => WriteHealthAsync(context, report.Status == HealthStatus.Healthy ? "ready" : null) });
        app.MapAdminApi();
        app.MapAdminApiDescription();
        app.MapPlayground();
        app.UseWhen(context => context.Request.Path.StartsWithSegments(RoamingProtocol.HubPath), hub =>
        {
            hub.Use(RequireAllowedOrigin);
            hub.Use(ConnectionAdmission.AdmitAsync);
            hub.Use(ResumePoint.CaptureAsync);
        });
        app.MapHub<DeviceHub>(RoamingProtocol.HubPath, options =>
        {
            options.Transports = HttpTransportType.WebSockets | HttpTransportType.LongPolling;
            // A connection lives no longer than the token that opened it.
            options.CloseOnAuthenticationExpiration = true;
        });
        return app;
    }

    /// <summary>With <c>Auth:AllowedOrigins</c> set, a browser from any other origin cannot open a hub connection.</summary>
    private static async Task RequireAllowedOrigin(HttpContext context, RequestDelegate next)
    {
        var allowed = context.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.AllowedOrigins;
        var origin = context.Request.Headers.Origin.ToString();
        if (allowed.Count > 0 && origin.Length > 0 && !allowed.Contains(origin, StringComparer.OrdinalIgnoreCase))
        {
            await ErrorResponses.Problem(ErrorCodes.Forbidden, $"Origin {origin} may not open hub connections.").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    /// <summary>Answers a health endpoint as before health checks: the JSON string, or 503 <c>UNAVAILABLE</c> when null.</summary>
    private static Task WriteHealthAsync(HttpContext context, string? status) =>
        status is null
            ? ErrorResponses.Problem(ErrorCodes.Unavailable, "The store does not answer.").ExecuteAsync(context)
            : TypedResults.Ok(status).ExecuteAsync(context);

    private static void AddAuthentication(IServiceCollection services)
    {
        services.AddAuthorization();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>>((jwt, auth) =>
            {
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = AuthOptions.Issuer,
                    ValidAudience = AuthOptions.Audience,
                    IssuerSigningKey = TokenIssuer.SigningKey(auth.Value),
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    NameClaimType = JwtRegisteredClaimNames.Sub,
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
                jwt.Events = new JwtBearerEvents
                {
                    // Browsers cannot set headers on WebSockets, so the hub path alone also takes the token from the query.
                    OnMessageReceived = context =>
                    {
                        if (context.HttpContext.Request.Path.StartsWithSegments(RoamingProtocol.HubPath)
                            && context.Request.Query[RoamingProtocol.AccessTokenQueryParameter].ToString() is { Length: > 0 } token)
                        {
                            context.Token = token;
                        }

                        return Task.CompletedTask;
                    },
                };
            });
    }
}
