using RoamingHub.Server.Features.Tokens;

namespace RoamingHub.Server.Api;

/// <summary>Body of <c>POST /dev/tokens</c>: the user the playground signs in as, and the device it will connect as.</summary>
internal sealed record DevTokenRequest(string? UserId, string? DeviceId);

/// <summary>
/// The browser playground's token route: a user token without the admin key, so a page can sign in as any user from
/// a form. Only <c>PlaygroundExtensions.MapPlayground</c> maps it, and only in Development; no such route exists
/// anywhere else, since whoever can call it can act as any user.
/// </summary>
internal static class DevEndpoints
{
    public const string Tokens = "/dev/tokens";

    public static IEndpointRouteBuilder MapDevTokens(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Tokens, async (DevTokenRequest? request, IMediator mediator, CancellationToken cancellationToken) =>
        {
            var body = request ?? throw RoamingException.InvalidArgument("A JSON body is required.");
            // A browser cannot read why the hub refused its WebSocket, so a device id the hub would refuse fails the
            // sign-in instead, with a sentence naming it.
            if (body.DeviceId is not null)
            {
                _ = Ids.Canonicalize(body.DeviceId, "deviceId");
            }

            return TypedResults.Ok(await mediator.Send(new IssueToken(new IssueTokenRequest { UserId = body.UserId }), cancellationToken).ConfigureAwait(false));
        })
            .ExcludeFromDescription();
        return endpoints;
    }
}
