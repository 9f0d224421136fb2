using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace RoamingHub.Server.Settings;

/// <summary>Metrics and traces, bound from the <c>Roaming:Telemetry</c> configuration section (docs/operations.md).</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Roaming:Telemetry";

    /// <summary>The standard OpenTelemetry variable naming the OTLP collector; traces are exported when it is set.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// Whether the node keeps metrics and answers them at <c>/metrics</c> in the Prometheus format (open in
    /// Development, behind the admin key elsewhere). On by default.
    /// </summary>
    public bool Metrics { get; set; } = true;

    /// <summary>
    /// The OTLP endpoint traces are exported to (for example <c>http://collector:4317</c>); unset, the standard
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is used, and with neither set the node makes no traces at all.
    /// </summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>
    /// The share of new traces kept, from 0 to 1; a span whose caller's trace was sampled is always kept (parent
    /// based). The shipped 0.01 keeps one hub call in a hundred, enough to see where the time goes at a few thousand
    /// calls a second without costing the calls noticeably.
    /// </summary>
    [Range(0.0, 1.0)]
    public double TraceSampleRatio { get; set; } = 0.01;
}

/// <summary>Checks the ranges declared on <see cref="TelemetryOptions"/>; generated at build time.</summary>
[OptionsValidator]
internal sealed partial class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>;
