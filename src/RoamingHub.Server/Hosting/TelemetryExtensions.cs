using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using RoamingHub.Server.Api;
using RoamingHub.Server.Diagnostics;
using RoamingHub.Server.Settings;

namespace RoamingHub.Server.Hosting;

/// <summary>
/// Wires OpenTelemetry: metrics (ours, ASP.NET Core's, Kestrel's, SignalR's and the runtime's) answered at
/// <c>/metrics</c> for Prometheus, and traces exported over OTLP when an endpoint is configured (docs/operations.md).
/// </summary>
internal static class TelemetryExtensions
{
    /// <summary>Where Prometheus scrapes a node.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>The <c>service.name</c> of every metric and span.</summary>
    public const string ServiceName = "roaminghub";

    // The built-in meters besides those AddAspNetCoreInstrumentation names: Kestrel's connections and SignalR's
    // (Http.Connections: signalr.server.active_connections, signalr.server.connection.duration), named so they stay.
    private static readonly string[] FrameworkMeters = ["Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Http.Connections"];

    public static WebApplicationBuilder AddRoamingTelemetry(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>();
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section).ValidateOnStart();

        var options = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var traced = options.OtlpEndpoint is not null || !string.IsNullOrWhiteSpace(builder.Configuration[TelemetryOptions.OtlpEndpointVariable]);
        if (!options.Metrics && !traced)
        {
            return builder;
        }

        // service.instance.id is generated per process, so an OTLP backend tells the nodes apart as Prometheus does by target.
        var telemetry = services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService(ServiceName));
        if (options.Metrics)
        {
            telemetry.WithMetrics(metrics => metrics
                .AddMeter(RoamingMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddMeter(FrameworkMeters)
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter());
        }

        if (traced)
        {
            telemetry.WithTracing(tracing =>
            {
                tracing
                    // Read through the options, so a ratio out of range fails validation at start with its name.
                    .SetSampler(sp => new ParentBasedSampler(
                        new TraceIdRatioBasedSampler(sp.GetRequiredService<IOptions<TelemetryOptions>>().Value.TraceSampleRatio)))
                    .AddSource(RoamingTracing.SourceName)
                    .AddAspNetCoreInstrumentation(aspNetCore =>
                    {
                        aspNetCore.Filter = http => IsTracedRequest(http.Request.Path);
                        // SignalR's own span per hub call would be a second root beside ours (DeviceHub/<method>), made
                        // for every call, sampled or not: it was two thirds of what tracing allocated per call.
                        aspNetCore.EnableAspNetCoreSignalRSupport = false;
                        // Admin paths hold user, group and conversation ids: a span keeps the route's template instead.
                        aspNetCore.EnrichWithHttpResponse = (activity, response) =>
                        {
                            if (response.HttpContext.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } template })
                            {
                                activity.SetTag("url.path", template);
                            }
                        };
                    })
                    // Without an endpoint of ours the exporter reads the standard OTEL_EXPORTER_OTLP_* variables itself.
                    .AddOtlpExporter(otlp =>
                    {
                        if (options.OtlpEndpoint is { } endpoint)
                        {
                            otlp.Endpoint = endpoint;
                        }
                    });
            });
        }

        return builder;
    }

    /// <summary>
    /// Maps <c>/metrics</c> unless metrics are off: open in Development, and elsewhere behind the admin key (in
    /// <c>X-Api-Key</c> or as a bearer token), checked by the same middleware as <c>/api</c>, since the numbers tell an
    /// outsider how busy the service is.
    /// </summary>
    public static WebApplication MapRoamingTelemetry(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value.Metrics)
        {
            Action<IApplicationBuilder>? protect = app.Environment.IsDevelopment()
                ? null
                : branch => branch.Use(TakeBearerAsAdminKey).Use(AdminEndpoints.RequireAdminKey);
            app.MapPrometheusScrapingEndpoint(MetricsPath, meterProvider: null, protect, optionsName: null);
            // Once started, the meter provider listens, so the zeros are seen.
            app.Lifetime.ApplicationStarted.Register(RoamingMetrics.StartAtZero);
        }

        return app;
    }

    /// <summary>
    /// Lets a scraper send the admin key as a bearer token, as every Prometheus can (<c>authorization: credentials</c>),
    /// when it sends no <c>X-Api-Key</c>: the key is then checked by the admin API's own check, like any other.
    /// </summary>
    private static Task TakeBearerAsAdminKey(HttpContext http, RequestDelegate next)
    {
        const string Bearer = "Bearer ";
        var headers = http.Request.Headers;
        if (headers[AdminApi.ApiKeyHeader].Count == 0 && headers.Authorization.ToString() is { } authorization
            && authorization.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
        {
            headers[AdminApi.ApiKeyHeader] = authorization[Bearer.Length..].Trim();
        }

        return next(http);
    }

    /// <summary>
    /// HTTP requests worth a span of their own: not the scrapes and probes, and not the hub's, whose WebSocket request
    /// lasts as long as the connection; each hub call has its own span instead.
    /// </summary>
    private static bool IsTracedRequest(PathString path) =>
        !path.StartsWithSegments(MetricsPath) && !path.StartsWithSegments("/healthz") && !path.StartsWithSegments("/readyz")
        && !path.StartsWithSegments(RoamingProtocol.HubPath);
}
