using RoamingHub.Server.Auth;

namespace RoamingHub.Server.Features.Tokens;

/// <summary>Issues a user token for the hub (admin only; the endpoint checks the admin key).</summary>
internal sealed record IssueToken(IssueTokenRequest Request) : ICommand<IssueTokenResponse>;

internal sealed class IssueTokenHandler(TokenIssuer issuer) : ICommandHandler<IssueToken, IssueTokenResponse>
{
    public ValueTask<IssueTokenResponse> Handle(IssueToken command, CancellationToken cancellationToken)
    {
        var userId = Ids.Canonicalize(command.Request.UserId, "userId");
        var (token, expiresAt) = issuer.Issue(userId);
        return ValueTask.FromResult(new IssueTokenResponse { AccessToken = token, ExpiresAt = expiresAt.ToUnixTimeMilliseconds() });
    }
}
