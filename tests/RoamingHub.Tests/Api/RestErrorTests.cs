using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using RoamingHub.Contracts;
using RoamingHub.Server.Auth;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Api;

/// <summary>Every error the admin API answers, the framework's own included, is a problem document with a code.</summary>
public sealed class RestErrorTests : IClassFixture<RestErrorTests.Nodes>
{
    private const int BodyLimit = 1024;

    private readonly Nodes _nodes;

    public RestErrorTests(Nodes nodes) => _nodes = nodes;

    public sealed class Nodes : IDisposable
    {
        public RoamingNode Default { get; } = new();

        public RoamingNode SmallBodies { get; } = new(services: services =>
            services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MaxRequestBodySize = BodyLimit));

        /// <summary>A node outside Development whose every admin call fails in a way no handler knows.</summary>
        public RoamingNode Failing { get; } = new(
            new Dictionary<string, string?>
            {
                ["Auth:SigningKey"] = new string('k', 40),
                ["Auth:AdminApiKey"] = AuthOptions.SampleAdminApiKey + "-operator",
                ["Roaming:UseEmbeddedStore"] = "true",
            },
            environment: "Production",
            services: services => services.AddSingleton(DispatchProxy.Create<IMediator, FailingMediator>()));

        public void Dispose()
        {
            Default.Dispose();
            SmallBodies.Dispose();
            Failing.Dispose();
        }
    }

    /// <summary>Fails every request with an exception whose message must never reach a client.</summary>
    public class FailingMediator : DispatchProxy
    {
        public const string Secret = "stack-detail-only-for-the-log";

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => throw new InvalidOperationException(Secret);
    }

    private static async Task<(HttpStatusCode Status, string? Code, HttpResponseMessage Response)> SendAsync(
        RoamingNode node, HttpMethod method, string path, HttpContent? content = null, bool withKey = true, string key = AuthOptions.SampleAdminApiKey)
    {
        using var http = node.CreateHttpClient();
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (withKey)
        {
            request.Headers.Add(AdminApi.ApiKeyHeader, key);
        }

        var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal((int)response.StatusCode, problem.RootElement.GetProperty("status").GetInt32());
        return (response.StatusCode, problem.RootElement.GetProperty("code").GetString(), response);
    }

    [Fact]
    public async Task A_body_that_is_not_sent_as_JSON_is_415_INVALID_ARGUMENT()
    {
        var (status, code, response) = await SendAsync(_nodes.Default, HttpMethod.Post, AdminApi.Tokens, new StringContent("{\"userId\":\"alice\"}", Encoding.UTF8, "text/plain"));
        response.Dispose();

        Assert.Equal((HttpStatusCode.UnsupportedMediaType, ErrorCodes.InvalidArgument), (status, code));
    }

    [Fact]
    public async Task A_method_the_route_does_not_take_is_405_INVALID_ARGUMENT_naming_the_allowed_ones()
    {
        var (status, code, response) = await SendAsync(_nodes.Default, HttpMethod.Put, AdminApi.Tokens);
        using var _ = response;

        Assert.Equal((HttpStatusCode.MethodNotAllowed, ErrorCodes.InvalidArgument), (status, code));
        Assert.Equal(["POST"], response.Content.Headers.Allow);
    }

    [Fact]
    public async Task An_unknown_admin_route_is_404_NOT_FOUND_with_the_key_and_401_without_it()
    {
        var (status, code, response) = await SendAsync(_nodes.Default, HttpMethod.Get, "/api/no-such-route");
        response.Dispose();
        var (anonymousStatus, anonymousCode, anonymous) = await SendAsync(_nodes.Default, HttpMethod.Get, "/api/no-such-route", withKey: false);
        anonymous.Dispose();

        Assert.Equal((HttpStatusCode.NotFound, ErrorCodes.NotFound), (status, code));
        Assert.Equal((HttpStatusCode.Unauthorized, ErrorCodes.Unauthenticated), (anonymousStatus, anonymousCode));
    }

    [Fact]
    public async Task Malformed_JSON_and_a_missing_body_are_400_INVALID_ARGUMENT()
    {
        var (malformed, malformedCode, first) = await SendAsync(_nodes.Default, HttpMethod.Post, AdminApi.Groups, new StringContent("{\"groupId\":", Encoding.UTF8, "application/json"));
        first.Dispose();
        var (missing, missingCode, second) = await SendAsync(_nodes.Default, HttpMethod.Post, AdminApi.Groups);
        second.Dispose();

        Assert.Equal((HttpStatusCode.BadRequest, ErrorCodes.InvalidArgument), (malformed, malformedCode));
        Assert.Equal((HttpStatusCode.BadRequest, ErrorCodes.InvalidArgument), (missing, missingCode));
    }

    [Fact]
    public async Task A_body_over_the_servers_limit_is_413_INVALID_ARGUMENT()
    {
        var members = Enumerable.Range(0, BodyLimit / 8).Select(i => $"user{i:D4}");
        var json = JsonSerializer.Serialize(new { groupId = "big", owner = "alice", members });
        Assert.True(Encoding.UTF8.GetByteCount(json) > BodyLimit);

        var (status, code, response) = await SendAsync(_nodes.SmallBodies, HttpMethod.Post, AdminApi.Groups, new StringContent(json, Encoding.UTF8, "application/json"));
        response.Dispose();

        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, ErrorCodes.InvalidArgument), (status, code));
    }

    [Fact]
    public async Task An_unexpected_failure_is_500_INTERNAL_without_its_details_which_go_to_the_log()
    {
        var (status, code, response) = await SendAsync(
            _nodes.Failing, HttpMethod.Get, AdminApi.GroupPath("team"), key: AuthOptions.SampleAdminApiKey + "-operator");
        using var _ = response;

        Assert.Equal((HttpStatusCode.InternalServerError, ErrorCodes.Internal), (status, code));
        Assert.DoesNotContain(FailingMediator.Secret, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains(_nodes.Failing.Logs, line => line.Contains(FailingMediator.Secret, StringComparison.Ordinal));
    }
}
