using System.Net;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using RoamingHub.Contracts;
using RoamingHub.Server.Auth;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Api;

/// <summary>
/// The OpenAPI document at /openapi/v1.json against the routes the server really maps: a route added without
/// description, or an operation without its answers, fails here.
/// </summary>
public sealed class AdminApiDocumentTests : IClassFixture<AdminApiDocumentTests.Nodes>
{
    private const string DocumentPath = "/openapi/v1.json";
    private const string OperatorKey = "operator-admin-key-0123456789";

    private readonly Nodes _nodes;

    public AdminApiDocumentTests(Nodes nodes) => _nodes = nodes;

    public sealed class Nodes : IDisposable
    {
        public RoamingNode Development { get; } = new();

        public RoamingNode Production { get; } = new(new Dictionary<string, string?>
        {
            ["Auth:SigningKey"] = new string('k', 40),
            ["Auth:AdminApiKey"] = OperatorKey,
            ["Roaming:UseEmbeddedStore"] = "true",
        }, environment: "Production");

        public void Dispose()
        {
            Development.Dispose();
            Production.Dispose();
        }
    }

    private async Task<JsonElement> DocumentAsync()
    {
        using var http = _nodes.Development.CreateHttpClient();
        using var response = await http.GetAsync(DocumentPath);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    /// <summary>Every admin route the running server maps, as "METHOD /path", read from its own endpoint table.</summary>
    private static SortedSet<string> MappedAdminRoutes(RoamingNode node)
    {
        _ = node.BaseAddress; // starts the host
        var endpoints = node.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        var routes = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in endpoints.Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true))
        {
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods;
            Assert.True(methods is { Count: > 0 }, $"{endpoint.RoutePattern.RawText} takes any method; an admin route names its method.");
            foreach (var method in methods)
            {
                routes.Add($"{method} {endpoint.RoutePattern.RawText}");
            }
        }

        return routes;
    }

    private static IEnumerable<(string Route, JsonElement Operation)> Operations(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => ($"{op.Name.ToUpperInvariant()} {path.Name}", op.Value)));

    [Fact]
    public async Task The_document_lists_every_mapped_admin_route_with_its_method_and_nothing_else()
    {
        var mapped = MappedAdminRoutes(_nodes.Development);
        var documented = new SortedSet<string>(Operations(await DocumentAsync()).Select(o => o.Route), StringComparer.Ordinal);

        Assert.Equal(9, mapped.Count);
        Assert.Equal(mapped, documented);
    }

    [Fact]
    public async Task Every_operation_says_what_it_does_what_it_answers_and_every_error_as_a_problem_document()
    {
        foreach (var (route, operation) in Operations(await DocumentAsync()))
        {
            Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("summary").GetString()), route);
            Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("operationId").GetString()), route);
            var responses = operation.GetProperty("responses");
            var success = Assert.Single(responses.EnumerateObject(), r => r.Name.StartsWith('2'));
            if (success.Name == "200")
            {
                Assert.True(success.Value.GetProperty("content").GetProperty("application/json").GetProperty("schema").TryGetProperty("$ref", out _), route);
            }
            else
            {
                Assert.Equal("204", success.Name);
            }

            var errors = responses.EnumerateObject().Where(r => r.Name[0] is '4' or '5').ToList();
            foreach (var status in new[] { "400", "401", "500" })
            {
                Assert.Contains(errors, e => e.Name == status);
            }

            foreach (var error in errors)
            {
                var problem = error.Value.GetProperty("content").GetProperty("application/problem+json");
                Assert.Equal("#/components/schemas/ProblemDetails", problem.GetProperty("schema").GetProperty("$ref").GetString());
                var code = problem.GetProperty("example").GetProperty("code").GetString()!;
                Assert.StartsWith(code + ": ", error.Value.GetProperty("description").GetString(), StringComparison.Ordinal);
            }

            foreach (var parameter in operation.TryGetProperty("parameters", out var list) ? list.EnumerateArray() : default)
            {
                Assert.False(string.IsNullOrWhiteSpace(parameter.GetProperty("description").GetString()), $"{route} {parameter.GetProperty("name")}");
            }

            if (operation.TryGetProperty("requestBody", out var body))
            {
                Assert.True(body.GetProperty("required").GetBoolean(), route);
                Assert.StartsWith("#/components/schemas/", body.GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString(), StringComparison.Ordinal);
                Assert.Contains(errors, e => e.Name == "415");
            }
        }
    }

    [Fact]
    public async Task The_problem_schema_carries_every_error_code_and_the_admin_key_scheme_covers_every_operation()
    {
        var document = await DocumentAsync();
        var components = document.GetProperty("components");

        var code = components.GetProperty("schemas").GetProperty("ProblemDetails").GetProperty("properties").GetProperty("code");
        var codes = typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetRawConstantValue()!).Order(StringComparer.Ordinal);
        Assert.Equal(codes, code.GetProperty("enum").EnumerateArray().Select(c => c.GetString()!).Order(StringComparer.Ordinal));
        var scheme = components.GetProperty("securitySchemes").GetProperty("AdminKey");
        Assert.Equal(("apiKey", "header", AdminApi.ApiKeyHeader), (scheme.GetProperty("type").GetString(), scheme.GetProperty("in").GetString(), scheme.GetProperty("name").GetString()));
        Assert.True(Assert.Single(document.GetProperty("security").EnumerateArray()).TryGetProperty("AdminKey", out _));
    }

    [Fact]
    public async Task Outside_Development_the_document_takes_the_admin_key_and_the_interactive_page_is_not_served()
    {
        using var http = _nodes.Production.CreateHttpClient();
        using var anonymous = await http.GetAsync(DocumentPath);
        using var withKey = new HttpRequestMessage(HttpMethod.Get, DocumentPath);
        withKey.Headers.Add(AdminApi.ApiKeyHeader, OperatorKey);
        using var operatorRead = await http.SendAsync(withKey);
        using var scalar = await http.GetAsync("/scalar/v1");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains("\"code\":\"UNAUTHENTICATED\"", await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, operatorRead.StatusCode);
        Assert.Contains("\"/api/groups/{groupId}\"", await operatorRead.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, scalar.StatusCode);
    }

    [Fact]
    public async Task In_Development_the_document_is_open_and_Scalar_shows_it()
    {
        using var http = _nodes.Development.CreateHttpClient();
        using var document = await http.GetAsync(DocumentPath);
        using var scalar = await http.GetAsync("/scalar/v1");

        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        Assert.Equal(HttpStatusCode.OK, scalar.StatusCode);
        Assert.Equal("text/html", scalar.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Scalar", await scalar.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_document_names_no_secret_and_no_route_outside_the_admin_API()
    {
        using var http = _nodes.Development.CreateHttpClient();
        var text = await http.GetStringAsync(DocumentPath);

        Assert.DoesNotContain(AuthOptions.SampleAdminApiKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain(AuthOptions.SampleSigningKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain("/hubs/", text, StringComparison.Ordinal);
        Assert.DoesNotContain("/healthz", text, StringComparison.Ordinal);
    }
}
