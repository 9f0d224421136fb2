using System.Security.Cryptography;
using System.Text;
using Mediator;
using Microsoft.Extensions.Options;
using RoamingHub.Contracts;
using RoamingHub.Server.Auth;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Features.Tokens;

namespace RoamingHub.Server.Api;

/// <summary>The admin REST API: thin adapters that check the admin key and send requests through the mediator.</summary>
internal static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api").AddEndpointFilter(RequireAdminKey);

        api.MapPost("/tokens", async (IssueTokenRequest? request, IMediator mediator, CancellationToken cancellationToken) =>
            TypedResults.Ok(await mediator.Send(new IssueToken(request ?? throw MissingBody()), cancellationToken).ConfigureAwait(false)));

        return endpoints;
    }

    private static RoamingException MissingBody() => RoamingException.InvalidArgument("A JSON body is required.");

    private static async ValueTask<object?> RequireAdminKey(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var expected = http.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.AdminApiKey;
        var given = http.Request.Headers[AdminApi.ApiKeyHeader].ToString();
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected)))
        {
            return ErrorResponses.Problem(ErrorCodes.Unauthenticated, $"A valid admin key is required in the {AdminApi.ApiKeyHeader} header.");
        }

        return await next(context).ConfigureAwait(false);
    }
}
