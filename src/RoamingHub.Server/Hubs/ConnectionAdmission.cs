using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.IdentityModel.JsonWebTokens;
using RoamingHub.Server.Diagnostics;
using RoamingHub.Server.Features.Connections;

namespace RoamingHub.Server.Hubs;

/// <summary>
/// Hub-path middleware, after authentication, that refuses a connection before the client thinks it is connected: a
/// refusal is the HTTP answer to the request that would open it, so the client's <c>start()</c> fails with it.
/// <list type="bullet">
/// <item>A WebSocket request is admitted here, as one of this node's connection records; the WebSocket lives exactly
/// as long as this request, so the record is released when it returns, and the hub learns it was admitted from
/// the request's query (SignalR hands the hub a copy of the request that keeps its query but not its items). The
/// admission also answers where the user's stream stands; when the device named no position, that is the one the
/// connection resumes from (<c>sinceSeq</c>, <c>epoch</c> in the query), read in the same store step.</item>
/// <item>A negotiate request is refused when the user has no room left, so clients that negotiate first (the
/// JavaScript client by default) fail at <c>start()</c> whichever transport they would pick.</item>
/// <item>Other transports are admitted by the hub after the handshake, as before.</item>
/// </list>
/// A refusal is a <see cref="RoamingException"/>, which the exception handler answers like every REST error (409
/// <c>CONNECTION_LIMIT_EXCEEDED</c>, 400 <c>INVALID_ARGUMENT</c>, with the code in the body and in the
/// <c>X-RoamingHub-Error</c> header). A store that does not answer refuses nothing here: the request goes on, the hub
/// tries again, and a failure there closes the connection so that clients reconnect.
/// </summary>
internal static class ConnectionAdmission
{
    /// <summary>Names the record this middleware admitted; a value a client sends is dropped.</summary>
    private const string AdmittedQueryParameter = "roaminghub-admitted";

    public static async Task AdmitAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        // The query's keys compare without case, as ASP.NET Core reads them, so no spelling of the name gets through.
        if (request.Query.ContainsKey(AdmittedQueryParameter))
        {
            request.QueryString = QueryString.Create(request.Query
                .Where(p => !string.Equals(p.Key, AdmittedQueryParameter, StringComparison.OrdinalIgnoreCase))
                .SelectMany(p => p.Value.Select(v => KeyValuePair.Create(p.Key, v))));
        }

        var subject = context.User.FindFirst(JwtRegisteredClaimNames.Sub)?.Value;
        if (subject is null || !(IsWebSocketUpgrade(context) || IsNegotiate(request)))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var mediator = context.RequestServices.GetRequiredService<IMediator>();
        var userId = Ids.Canonicalize(subject, "token subject");
        if (IsNegotiate(request))
        {
            await TryAsync(context, () => mediator.Send(new CheckConnectionRoom(userId), context.RequestAborted).AsTask()).ConfigureAwait(false);
            await next(context).ConfigureAwait(false);
            return;
        }

        _ = DeviceIdOf(request);
        var recordId = Guid.NewGuid().ToString("N");
        SyncState? position = null;
        if (!await TryAsync(context, async () => position = await mediator.Send(new ConnectDevice(userId, recordId), context.RequestAborted).ConfigureAwait(false)).ConfigureAwait(false))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var query = request.QueryString.Add(AdmittedQueryParameter, recordId);
        if (position is not null && string.IsNullOrEmpty(request.Query[RoamingProtocol.SinceSeqQueryParameter]))
        {
            // The stream's position at admission is where the connection starts, as if the device had named it: the
            // hub replays what came after it (ResumePoint), and ResumePoint.CaptureAsync need not read it again.
            query = query.Add(RoamingProtocol.SinceSeqQueryParameter, position.LastSeq.ToString(CultureInfo.InvariantCulture));
            query = position.Epoch is null ? query : query.Add(RoamingProtocol.EpochQueryParameter, position.Epoch);
        }

        request.QueryString = query;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            await ReleaseAsync(context, mediator, userId, recordId).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The record this middleware admitted for the connection's request, or null when the hub must admit it. The hub
    /// also checks that this node holds it for the connection's user (<c>ConnectionRegistry.Holds</c>).
    /// </summary>
    public static string? AdmittedRecordOf(HttpContext? context) =>
        context?.Request.Query[AdmittedQueryParameter].ToString() is { Length: > 0 } recordId ? recordId : null;

    /// <summary>The device id the request names, canonical; throws <c>INVALID_ARGUMENT</c> for a malformed one.</summary>
    public static string? DeviceIdOf(HttpRequest request) =>
        request.Query[RoamingProtocol.DeviceIdQueryParameter].ToString() is { Length: > 0 } deviceId ? Ids.Canonicalize(deviceId, "deviceId") : null;

    /// <summary>
    /// Whether the request opens a WebSocket: an HTTP/1.1 upgrade, or an HTTP/2 extended CONNECT. Read from the
    /// request itself: the WebSocket feature is only added inside SignalR's own endpoint pipeline, after this middleware.
    /// </summary>
    public static bool IsWebSocketUpgrade(HttpContext context) =>
        (HttpMethods.IsGet(context.Request.Method) && context.Request.Headers.Upgrade.ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase))
        || context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true, Protocol: var protocol }
            && string.Equals(protocol, "websocket", StringComparison.OrdinalIgnoreCase);

    private static bool IsNegotiate(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) && request.Path.Value?.EndsWith("/negotiate", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>Runs a store step; false when the store did not answer (the request goes on unadmitted). Refusals propagate.</summary>
    private static async Task<bool> TryAsync(HttpContext context, Func<Task> step)
    {
        try
        {
            await step().ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            Log.StoreUnavailable(Logger(context), "connect", context.User.FindFirst(JwtRegisteredClaimNames.Sub)?.Value ?? "?", ex);
            return false;
        }
    }

    private static async Task ReleaseAsync(HttpContext context, IMediator mediator, string userId, string recordId)
    {
        try
        {
            await mediator.Send(new DisconnectDevice(userId, recordId), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            // The node no longer holds the record, so its next round of rewriting leaves it behind.
            Log.StoreUnavailable(Logger(context), "disconnect", userId, ex);
        }
    }

    private static ILogger Logger(HttpContext context) =>
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ConnectionAdmission));
}
