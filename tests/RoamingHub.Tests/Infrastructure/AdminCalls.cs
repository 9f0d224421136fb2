using System.Net;
using System.Net.Http.Json;
using RoamingHub.Contracts;
using RoamingHub.Server.Auth;

namespace RoamingHub.Tests.Infrastructure;

/// <summary>Admin API calls as an operator's script makes them: the sample admin key, the status code read first.</summary>
public static class AdminCalls
{
    public static async Task<HttpResponseMessage> SendAsync(Uri baseAddress, HttpMethod method, string path, object? body = null)
    {
        using var http = new HttpClient { BaseAddress = baseAddress };
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body, body.GetType()) };
        request.Headers.Add(AdminApi.ApiKeyHeader, AuthOptions.SampleAdminApiKey);
        return await http.SendAsync(request);
    }

    /// <summary>The status code of one call, its answer discarded.</summary>
    public static async Task<HttpStatusCode> StatusAsync(Uri baseAddress, HttpMethod method, string path, object? body = null)
    {
        using var response = await SendAsync(baseAddress, method, path, body);
        return response.StatusCode;
    }

    /// <summary>The group the call answered; fails unless it answered 200.</summary>
    public static async Task<Group> GroupAsync(Uri baseAddress, HttpMethod method, string path, object? body = null)
    {
        using var response = await SendAsync(baseAddress, method, path, body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Group>())!;
    }
}
