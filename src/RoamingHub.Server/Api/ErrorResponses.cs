using Microsoft.AspNetCore.Diagnostics;
using StackExchange.Redis;

namespace RoamingHub.Server.Api;

/// <summary>
/// Maps errors to REST answers in one place: a problem document whose <c>code</c> is the stable error code, with the
/// HTTP status that matches it.
/// </summary>
internal sealed class ErrorResponses : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            RoamingException roaming => Problem(roaming.Code, roaming.Message),
            BadHttpRequestException bad => Problem(ErrorCodes.InvalidArgument, bad.Message),
            RedisException or TimeoutException => Problem(ErrorCodes.Unavailable, "The store is unreachable; try again."),
            _ => null,
        };
        if (problem is null)
        {
            return false;
        }

        if (exception is RoamingException coded)
        {
            // Also where a client cannot read the body: a refused WebSocket request (see ConnectionAdmission).
            httpContext.Response.Headers[RoamingProtocol.ErrorCodeHeader] = coded.Code;
        }

        await problem.ExecuteAsync(httpContext).ConfigureAwait(false);
        return true;
    }

    public static IResult Problem(string code, string message) => TypedResults.Problem(
        title: code,
        detail: message,
        statusCode: StatusFor(code),
        extensions: new Dictionary<string, object?> { ["code"] = code });

    private static int StatusFor(string code) => code switch
    {
        ErrorCodes.InvalidArgument => StatusCodes.Status400BadRequest,
        ErrorCodes.Unauthenticated => StatusCodes.Status401Unauthorized,
        ErrorCodes.Forbidden => StatusCodes.Status403Forbidden,
        ErrorCodes.NotFound => StatusCodes.Status404NotFound,
        ErrorCodes.PinLimitExceeded or ErrorCodes.ConnectionLimitExceeded or ErrorCodes.AlreadyExists => StatusCodes.Status409Conflict,
        ErrorCodes.RateLimited => StatusCodes.Status429TooManyRequests,
        ErrorCodes.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };
}
