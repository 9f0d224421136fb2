using System.Globalization;
using Microsoft.IdentityModel.JsonWebTokens;
using RoamingHub.Server.Features.Sync;

namespace RoamingHub.Server.Hubs.Delivery;

/// <summary>
/// Where a connection's stream starts: the <c>(sinceSeq, epoch)</c> the device asked for in the hub URL or, without
/// them, the user's newest seq when the server accepted the WebSocket request. Everything after it reaches the
/// connection, replayed or live, so a device whose <c>start()</c> has resolved misses nothing made meanwhile.
/// </summary>
internal sealed record ResumePoint(long SinceSeq, string? Epoch)
{
    private const int MaxEpochLength = 128;

    /// <summary>
    /// Hub-path middleware, after authentication: reads the user's stream position before the WebSocket handshake
    /// when the device gave none and the admission did not already write it (the admission's store step reads it in
    /// the same script; this is the fallback when that step could not run), and writes it into the request's query as
    /// if the device had, so pushes made between the handshake and the connection's registration are replayed rather
    /// than lost. (SignalR hands the hub a copy of the request that keeps its query but not its items.)
    /// </summary>
    public static async Task CaptureAsync(HttpContext context, RequestDelegate next)
    {
        if (ConnectionAdmission.IsWebSocketUpgrade(context)
            && string.IsNullOrEmpty(context.Request.Query[RoamingProtocol.SinceSeqQueryParameter])
            && context.User.FindFirst(JwtRegisteredClaimNames.Sub)?.Value is { } subject)
        {
            try
            {
                var caller = new Caller(Ids.Canonicalize(subject, "token subject"), "-", ConnectionId: null);
                var state = await context.RequestServices.GetRequiredService<IMediator>().Send(new GetSyncState(caller), context.RequestAborted).ConfigureAwait(false);
                var query = context.Request.QueryString.Add(RoamingProtocol.SinceSeqQueryParameter, state.LastSeq.ToString(CultureInfo.InvariantCulture));
                context.Request.QueryString = state.Epoch is null ? query : query.Add(RoamingProtocol.EpochQueryParameter, state.Epoch);
            }
            catch (Exception ex) when (ex is RoamingException or StackExchange.Redis.RedisException or TimeoutException)
            {
                // The hub refuses a bad subject, and a store that does not answer, with a close the client understands;
                // the request goes on without a captured position.
            }
        }

        await next(context).ConfigureAwait(false);
    }

    /// <summary>
    /// The resume point of the connection's request, or null when it names none (a transport other than WebSockets
    /// without <c>sinceSeq</c>). Throws <c>INVALID_ARGUMENT</c> for a malformed one.
    /// </summary>
    public static ResumePoint? Of(HttpContext? context)
    {
        var query = context?.Request.Query;
        if (query is null || string.IsNullOrEmpty(query[RoamingProtocol.SinceSeqQueryParameter]))
        {
            return null;
        }

        if (!long.TryParse(query[RoamingProtocol.SinceSeqQueryParameter], NumberStyles.None, CultureInfo.InvariantCulture, out var sinceSeq))
        {
            throw RoamingException.InvalidArgument("sinceSeq must be a non-negative integer.");
        }

        var epoch = query[RoamingProtocol.EpochQueryParameter].ToString();
        return epoch.Length > MaxEpochLength
            ? throw RoamingException.InvalidArgument($"epoch must be at most {MaxEpochLength} characters.")
            : new ResumePoint(sinceSeq, epoch.Length == 0 ? null : epoch);
    }
}
