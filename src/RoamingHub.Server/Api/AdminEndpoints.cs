using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using RoamingHub.Server.Auth;
using RoamingHub.Server.Features.Conversations;
using RoamingHub.Server.Features.Groups;
using RoamingHub.Server.Features.History;
using RoamingHub.Server.Features.Messages;
using RoamingHub.Server.Features.Tokens;

namespace RoamingHub.Server.Api;

/// <summary>The admin REST API: thin adapters that check the admin key and send requests through the mediator.</summary>
internal static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api");

        api.MapPost("/tokens", async (IssueTokenRequest? request, IMediator mediator, CancellationToken cancellationToken) =>
            TypedResults.Ok(await mediator.Send(new IssueToken(request ?? throw MissingBody()), cancellationToken).ConfigureAwait(false)));

        // Sends as a user (system notices, bots); the caller is the sender with no device connection.
        api.MapPost("/messages", async (AdminSendMessageRequest? request, IMediator mediator, CancellationToken cancellationToken) =>
        {
            var body = request ?? throw MissingBody();
            var sender = AsUser(body.From, "from");
            var message = new SendMessageRequest { To = body.To, ChatType = body.ChatType, Type = body.Type, Body = body.Body };
            return TypedResults.Ok(await mediator.Send(new SendMessage(sender, message, ServerSide: true), cancellationToken).ConfigureAwait(false));
        });

        api.MapGet("/users/{userId}/conversations", async (string userId, string? cursor, int? pageSize, IMediator mediator, CancellationToken cancellationToken) =>
            TypedResults.Ok(await mediator.Send(
                new FetchConversations(AsUser(userId, "userId"), new FetchConversationsRequest { Cursor = cursor, PageSize = pageSize }),
                cancellationToken).ConfigureAwait(false)));

        api.MapGet(
            "/users/{userId}/conversations/{chatType}/{conversationId}/messages",
            async (string userId, string chatType, string conversationId, string? cursor, int? pageSize, string? direction, IMediator mediator, CancellationToken cancellationToken) =>
                TypedResults.Ok(await mediator.Send(
                    new FetchHistoryMessages(
                        AsUser(userId, "userId"),
                        new FetchHistoryMessagesRequest { ConversationId = conversationId, ChatType = chatType, Cursor = cursor, PageSize = pageSize, Direction = direction }),
                    cancellationToken).ConfigureAwait(false)));

        api.MapPost("/groups", async (CreateGroupRequest? request, IMediator mediator, CancellationToken cancellationToken) =>
            TypedResults.Ok(await mediator.Send(new CreateGroup(request ?? throw MissingBody()), cancellationToken).ConfigureAwait(false)));

        api.MapGet("/groups/{groupId}", async (string groupId, IMediator mediator, CancellationToken cancellationToken) =>
            TypedResults.Ok(await mediator.Send(new GetGroup(groupId), cancellationToken).ConfigureAwait(false)));

        api.MapPost("/groups/{groupId}/members", async (string groupId, AddGroupMembersRequest? request, IMediator mediator, CancellationToken cancellationToken) =>
            TypedResults.Ok(await mediator.Send(new AddGroupMembers(groupId, request ?? throw MissingBody()), cancellationToken).ConfigureAwait(false)));

        api.MapDelete("/groups/{groupId}/members/{userId}", async (string groupId, string userId, IMediator mediator, CancellationToken cancellationToken) =>
        {
            await mediator.Send(new RemoveGroupMember(groupId, userId), cancellationToken).ConfigureAwait(false);
            return TypedResults.NoContent();
        });

        api.MapDelete("/groups/{groupId}", async (string groupId, IMediator mediator, CancellationToken cancellationToken) =>
        {
            await mediator.Send(new DeleteGroup(groupId), cancellationToken).ConfigureAwait(false);
            return TypedResults.NoContent();
        });

        return endpoints;
    }

    /// <summary>The admin API acts as the named user; events it causes name the device <c>admin-api</c>.</summary>
    private static Caller AsUser(string? userId, string field) => new(Ids.Canonicalize(userId, field), "admin-api", ConnectionId: null);

    private static RoamingException MissingBody() => RoamingException.InvalidArgument("A JSON body is required.");

    /// <summary>
    /// Middleware in front of every <c>/api</c> route: the admin key is checked before anything reads the request,
    /// so a caller without it learns nothing, not even whether its body was valid.
    /// </summary>
    public static async Task RequireAdminKey(HttpContext http, RequestDelegate next)
    {
        var expected = http.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.AdminApiKey;
        var given = http.Request.Headers[AdminApi.ApiKeyHeader].ToString();
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected)))
        {
            await ErrorResponses.Problem(ErrorCodes.Unauthenticated, $"A valid admin key is required in the {AdminApi.ApiKeyHeader} header.")
                .ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

        await next(http).ConfigureAwait(false);
    }
}
