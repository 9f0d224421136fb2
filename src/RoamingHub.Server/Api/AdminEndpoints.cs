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
        var api = endpoints.MapGroup("/api")
            .WithTags("Admin")
            .Fails(StatusCodes.Status400BadRequest, ErrorCodes.InvalidArgument, "A field, path segment or query value breaks a rule, or the body is not valid JSON.")
            .Fails(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthenticated, $"The {AdminApi.ApiKeyHeader} header is missing or holds the wrong admin key.")
            .Fails(StatusCodes.Status500InternalServerError, ErrorCodes.Internal, "An unexpected failure; the details are in the server's log.");

        api.MapPost("/tokens", async (IssueTokenRequest? request, IMediator mediator, CancellationToken cancellationToken) =>
            TypedResults.Ok(await mediator.Send(new IssueToken(request ?? throw MissingBody()), cancellationToken).ConfigureAwait(false)))
            .WithName("IssueToken")
            .WithSummary("Issue a user token")
            .WithDescription("A JWT for the hub naming the canonical user id; it lives Auth:TokenLifetime, and a hub connection opened with it is closed when it expires.")
            .TakesJsonBody();

        // Sends as a user (system notices, bots); the caller is the sender with no device connection.
        api.MapPost("/messages", async (AdminSendMessageRequest? request, IMediator mediator, CancellationToken cancellationToken) =>
        {
            var body = request ?? throw MissingBody();
            var sender = AsUser(body.From, "from");
            var message = new SendMessageRequest { To = body.To, ChatType = body.ChatType, Type = body.Type, Body = body.Body };
            return TypedResults.Ok(await mediator.Send(new SendMessage(sender, message, ServerSide: true), cancellationToken).ConfigureAwait(false));
        })
            .WithName("SendMessage")
            .WithSummary("Send a message as a user")
            .WithDescription(
                "Stores the message in history and pushes it to every connection of both users (or of every group member), under the same rules as the hub's SendMessage. "
                + "Answers the message as `from` sees it. It leaves conversation lists and unread counts alone unless Roaming:RestMessagesUpdateConversations is true.")
            .TakesJsonBody()
            .Fails(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, "In group chat, `from` is not a member of the group.")
            .FailsWhenTheStoreDoesNotAnswer();

        api.MapGet("/users/{userId}/conversations", async (string userId, string? cursor, int? pageSize, IMediator mediator, CancellationToken cancellationToken) =>
            TypedResults.Ok(await mediator.Send(
                new FetchConversations(AsUser(userId, "userId"), new FetchConversationsRequest { Cursor = cursor, PageSize = pageSize }),
                cancellationToken).ConfigureAwait(false)))
            .WithName("FetchConversations")
            .WithSummary("Read a user's conversation list")
            .WithDescription("One page of the user's conversations, exactly as the hub's FetchConversations pages it; pass the answer's cursor for the next page.")
            .FailsWhenTheStoreDoesNotAnswer();

        api.MapGet(
            "/users/{userId}/conversations/{chatType}/{conversationId}/messages",
            async (string userId, string chatType, string conversationId, string? cursor, int? pageSize, string? direction, IMediator mediator, CancellationToken cancellationToken) =>
                TypedResults.Ok(await mediator.Send(
                    new FetchHistoryMessages(
                        AsUser(userId, "userId"),
                        new FetchHistoryMessagesRequest { ConversationId = conversationId, ChatType = chatType, Cursor = cursor, PageSize = pageSize, Direction = direction }),
                    cancellationToken).ConfigureAwait(false)))
            .WithName("FetchHistoryMessages")
            .WithSummary("Read a conversation's history as a user sees it")
            .WithDescription("One page of the conversation's messages, exactly as the hub's FetchHistoryMessages pages it; pass the answer's cursor for the next page.")
            .Fails(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, "A group the user is not a member of.")
            .FailsWhenTheStoreDoesNotAnswer();

        api.MapPost("/groups", async (CreateGroupRequest? request, IMediator mediator, CancellationToken cancellationToken) =>
            TypedResults.Ok(await mediator.Send(new CreateGroup(request ?? throw MissingBody()), cancellationToken).ConfigureAwait(false)))
            .WithName("CreateGroup")
            .WithSummary("Create a group")
            .WithDescription(
                "Creates the group with its owner among the members and answers it. The same request again answers the group as first created; "
                + "after a 503 repeat it to complete what was left. More than Roaming:MaxGroupMembers members is 400.")
            .TakesJsonBody()
            .Fails(StatusCodes.Status409Conflict, ErrorCodes.AlreadyExists, "The group id is taken by a group with another owner or other members.")
            .FailsWhenTheStoreDoesNotAnswer();

        api.MapGet("/groups/{groupId}", async (string groupId, IMediator mediator, CancellationToken cancellationToken) =>
            TypedResults.Ok(await mediator.Send(new GetGroup(groupId), cancellationToken).ConfigureAwait(false)))
            .WithName("GetGroup")
            .WithSummary("Read a group")
            .Fails(StatusCodes.Status404NotFound, ErrorCodes.NotFound, "No group has this id.")
            .FailsWhenTheStoreDoesNotAnswer();

        api.MapPost("/groups/{groupId}/members", async (string groupId, AddGroupMembersRequest? request, IMediator mediator, CancellationToken cancellationToken) =>
            TypedResults.Ok(await mediator.Send(new AddGroupMembers(groupId, request ?? throw MissingBody()), cancellationToken).ConfigureAwait(false)))
            .WithName("AddGroupMembers")
            .WithSummary("Add members to a group")
            .WithDescription(
                "Adds the named users who are not members yet and answers the group after the change; their open connections receive the group's messages at once. "
                + "Going beyond Roaming:MaxGroupMembers is 400 and adds no one.")
            .TakesJsonBody()
            .Fails(StatusCodes.Status404NotFound, ErrorCodes.NotFound, "No group has this id.")
            .FailsWhenTheStoreDoesNotAnswer();

        api.MapDelete("/groups/{groupId}/members/{userId}", async (string groupId, string userId, IMediator mediator, CancellationToken cancellationToken) =>
        {
            await mediator.Send(new RemoveGroupMember(groupId, userId), cancellationToken).ConfigureAwait(false);
            return TypedResults.NoContent();
        })
            .WithName("RemoveGroupMember")
            .WithSummary("Remove a member from a group")
            .WithDescription(
                "The group leaves the user's list and every connection of theirs gets REMOVED_FROM_GROUP; from then on they receive none of its messages. "
                + "Removing the owner is 400 (delete the group instead).")
            .Fails(StatusCodes.Status404NotFound, ErrorCodes.NotFound, "No group has this id, or the user is not a member and has nothing of the group left.")
            .FailsWhenTheStoreDoesNotAnswer();

        api.MapDelete("/groups/{groupId}", async (string groupId, IMediator mediator, CancellationToken cancellationToken) =>
        {
            await mediator.Send(new DeleteGroup(groupId), cancellationToken).ConfigureAwait(false);
            return TypedResults.NoContent();
        })
            .WithName("DeleteGroup")
            .WithSummary("Delete a group")
            .WithDescription(
                "Deletes the group and its history; every former member's connections get REMOVED_FROM_GROUP. A repeat of a deletion that failed halfway tells the members not yet told.")
            .Fails(StatusCodes.Status404NotFound, ErrorCodes.NotFound, "No group has this id, or its deletion already completed.")
            .FailsWhenTheStoreDoesNotAnswer();

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
