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
            // Its status says what was wrong with the request: 400 (bad JSON, a query value of the wrong type), 413, 415.
            BadHttpRequestException bad => Problem(ErrorCodes.InvalidArgument, bad.Message, bad.StatusCode is >= 400 and < 500 ? bad.StatusCode : StatusCodes.Status400BadRequest),
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

    public static IResult Problem(string code, string message) => Problem(code, message, StatusFor(code));

    /// <summary>A problem document of <paramref name="code"/> with a status of its own (415 is <c>INVALID_ARGUMENT</c>, like 400).</summary>
    public static IResult Problem(string code, string message, int statusCode) => TypedResults.Problem(
        title: code,
        detail: message,
        statusCode: statusCode,
        extensions: new Dictionary<string, object?> { ["code"] = code });

    /// <summary>
    /// Gives a body to an error the framework answers without one (no route, a method the route does not take, a body
    /// that is not JSON), so every admin API answer above 399 is a problem document with a code.
    /// </summary>
    public static Task WriteStatusCodeProblemAsync(StatusCodeContext context)
    {
        var status = context.HttpContext.Response.StatusCode;
        var (code, message) = ForStatus(status);
        return Problem(code, message, status).ExecuteAsync(context.HttpContext);
    }

    /// <summary>
    /// Gives a code to a problem document the framework writes by itself: the 500 of an exception no handler above
    /// knows, which the exception handler middleware logs and answers without its details.
    /// </summary>
    public static void AddMissingCode(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Extensions.ContainsKey("code"))
        {
            return;
        }

        var (code, _) = ForStatus(problem.Status ?? context.HttpContext.Response.StatusCode);
        problem.Title = code;
        problem.Extensions["code"] = code;
    }

    private static (string Code, string Message) ForStatus(int status) => status switch
    {
        StatusCodes.Status404NotFound => (ErrorCodes.NotFound, "No admin API route has this path."),
        StatusCodes.Status405MethodNotAllowed => (ErrorCodes.InvalidArgument, "This route does not take this HTTP method; the Allow header names those it takes."),
        StatusCodes.Status413PayloadTooLarge => (ErrorCodes.InvalidArgument, "The body is larger than the server accepts."),
        StatusCodes.Status415UnsupportedMediaType => (ErrorCodes.InvalidArgument, "The body must be JSON, sent as Content-Type: application/json."),
        StatusCodes.Status401Unauthorized => (ErrorCodes.Unauthenticated, "The request is not authenticated."),
        StatusCodes.Status403Forbidden => (ErrorCodes.Forbidden, "The request is not allowed."),
        StatusCodes.Status429TooManyRequests => (ErrorCodes.RateLimited, "Too many requests; slow down and retry."),
        StatusCodes.Status503ServiceUnavailable => (ErrorCodes.Unavailable, "The server cannot answer now; try again."),
        >= 500 => (ErrorCodes.Internal, "The server failed unexpectedly; the details are in its log."),
        _ => (ErrorCodes.InvalidArgument, "The request is not valid."),
    };

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
