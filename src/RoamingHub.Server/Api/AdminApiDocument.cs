using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace RoamingHub.Server.Api;

/// <summary>An error an admin endpoint may answer: its status, its stable code, and when it happens.</summary>
internal sealed record ProblemResponse(int StatusCode, string Code, string When);

/// <summary>
/// The OpenAPI description of the admin API: what the endpoints' metadata (<see cref="Fails"/>, summaries) cannot say by
/// itself, added by transformers: the admin-key scheme, the problem document's <c>code</c>, the parameters' rules.
/// </summary>
internal static class AdminApiDocument
{
    public const string DocumentName = "v1";
    public const string SecuritySchemeName = "AdminKey";

    private const string ProblemContentType = "application/problem+json";

    /// <summary>Path and query parameters of the admin routes, by name: each has one meaning wherever it appears.</summary>
    private static readonly Dictionary<string, string> ParameterDescriptions = new(StringComparer.Ordinal)
    {
        ["userId"] = $"A user id: 1 to {Ids.MaxLength} of a-z, 0-9, '_', '-', '.' and '@'; upper case is read as lower case.",
        ["groupId"] = "A group id, under the same rules as user ids.",
        ["chatType"] = $"`{ChatTypes.SingleChat}` or `{ChatTypes.GroupChat}`.",
        ["conversationId"] = "The other participant's user id in single chat, the group id in group chat.",
        ["cursor"] = "The `cursor` of the previous page's answer; omit it for the first page.",
        ["pageSize"] = "Items per page, 1 to 50; 20 when omitted.",
        ["direction"] = $"`{HistoryDirections.Up}` (older messages, newest first; the default) or `{HistoryDirections.Down}` (newer messages, oldest first).",
    };

    /// <summary>Every stable error code, read from the contracts so a new code is described without touching this file.</summary>
    private static readonly string[] Codes = [.. typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(field => field.IsLiteral)
        .Select(field => (string)field.GetRawConstantValue()!)];

    /// <summary>Declares that the endpoint (or every endpoint of a group) may answer <paramref name="statusCode"/> with a problem document of <paramref name="code"/>.</summary>
    public static TBuilder Fails<TBuilder>(this TBuilder builder, int statusCode, string code, string when)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ProblemResponse(statusCode, code, when), new ProducesResponseTypeMetadata(statusCode, typeof(ProblemDetails), [ProblemContentType]));

    /// <summary>The answers of an endpoint that reads a JSON body, beyond those of its content.</summary>
    public static RouteHandlerBuilder TakesJsonBody(this RouteHandlerBuilder builder) => builder
        .Fails(StatusCodes.Status413PayloadTooLarge, ErrorCodes.InvalidArgument, "The body is larger than the server accepts.")
        .Fails(StatusCodes.Status415UnsupportedMediaType, ErrorCodes.InvalidArgument, "The body is not sent as `Content-Type: application/json`.");

    /// <summary>The answer of an endpoint that reads or writes the store.</summary>
    public static RouteHandlerBuilder FailsWhenTheStoreDoesNotAnswer(this RouteHandlerBuilder builder) =>
        builder.Fails(StatusCodes.Status503ServiceUnavailable, ErrorCodes.Unavailable, "The store (Redis) did not answer in time or is unreachable; repeat the call.");

    /// <summary>Describes the admin API, and only it, in the document <see cref="DocumentName"/>.</summary>
    public static void Configure(OpenApiOptions options)
    {
        options.ShouldInclude = description => description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true;
        options.AddDocumentTransformer((document, _, _) =>
        {
            DescribeDocument(document);
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            DescribeOperation(operation, context.Description.ActionDescriptor.EndpointMetadata);
            return Task.CompletedTask;
        });
        options.AddSchemaTransformer((schema, context, _) =>
        {
            if (context.JsonTypeInfo.Type == typeof(ProblemDetails))
            {
                DescribeProblem(schema);
            }

            return Task.CompletedTask;
        });
    }

    private static void DescribeDocument(OpenApiDocument document)
    {
        document.Info = new OpenApiInfo
        {
            Title = "RoamingHub admin API",
            Version = "1",
            Description = "Issues user tokens, sends messages as a user, reads users' lists and history, and manages groups. "
                + $"Every route needs the admin key (Auth:AdminApiKey) in the {AdminApi.ApiKeyHeader} header. "
                + $"Every error is an {ProblemContentType} document whose `code` is a stable error code.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal);
        document.Components.SecuritySchemes[SecuritySchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = AdminApi.ApiKeyHeader,
            Description = "The admin key, Auth:AdminApiKey; checked before anything reads the request.",
        };
        document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecuritySchemeName, document)] = [] }];
    }

    private static void DescribeOperation(OpenApiOperation operation, IList<object> metadata)
    {
        foreach (var parameter in operation.Parameters ?? [])
        {
            if (parameter is OpenApiParameter described && described.Name is { } name && ParameterDescriptions.TryGetValue(name, out var text))
            {
                described.Description = text;
            }
        }

        // The handlers take their body as optional only to answer a missing one with INVALID_ARGUMENT themselves.
        if (operation.RequestBody is OpenApiRequestBody body)
        {
            body.Required = true;
            foreach (var media in body.Content?.Values ?? [])
            {
                if (media.Schema is OpenApiSchema { OneOf: { } choices } && choices.Where(c => c is not OpenApiSchema { Type: JsonSchemaType.Null }).ToList() is [var only])
                {
                    media.Schema = only;
                }
            }
        }

        foreach (var problems in metadata.OfType<ProblemResponse>().GroupBy(p => p.StatusCode))
        {
            if (operation.Responses?.GetValueOrDefault(problems.Key.ToString(CultureInfo.InvariantCulture)) is not OpenApiResponse response)
            {
                continue;
            }

            response.Description = string.Join(" ", problems.Select(p => $"{p.Code}: {p.When}"));
            var first = problems.First();
            foreach (var media in response.Content?.Values ?? [])
            {
                media.Example = new JsonObject
                {
                    ["type"] = "https://tools.ietf.org/html/rfc9110",
                    ["title"] = first.Code,
                    ["status"] = first.StatusCode,
                    ["detail"] = first.When,
                    ["code"] = first.Code,
                };
            }
        }

        // Success first, then the errors by status, as a reader looks for them.
        if (operation.Responses is { } responses)
        {
            var ordered = responses.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
            responses.Clear();
            foreach (var (status, response) in ordered)
            {
                responses[status] = response;
            }
        }
    }

    private static void DescribeProblem(OpenApiSchema schema)
    {
        schema.Description = "An error: `code` is the stable error code (also the `title`), `detail` a sentence for people.";
        schema.Properties ??= new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        schema.Properties["code"] = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Description = "The stable error code; read this, not the sentence in `detail`.",
            Enum = [.. Codes.Select(code => (JsonNode)JsonValue.Create(code))],
        };
        schema.Properties["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The request's trace id, to find it in the server's log." };
        schema.Required ??= new HashSet<string>(StringComparer.Ordinal);
        schema.Required.Add("code");
    }
}
