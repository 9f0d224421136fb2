using System.Net.Http.Json;
using RoamingHub.Contracts;

namespace RoamingHub.LoadTests.Fleet;

/// <summary>The admin API calls a run makes before its load (tokens, groups), with the run's admin key.</summary>
internal static class AdminRequests
{
    /// <summary>
    /// POSTs <paramref name="body"/> as JSON to <paramref name="path"/> on <paramref name="node"/>; a refusal throws
    /// with the route, the node and the problem document, since a run cannot go on without what it asked for.
    /// </summary>
    public static async Task<HttpResponseMessage> PostAsync<T>(HttpClient http, Uri node, string path, T body, string adminKey, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(node, path)) { Content = JsonContent.Create(body) };
        request.Headers.Add(AdminApi.ApiKeyHeader, adminKey);
        var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                var problem = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                throw new InvalidOperationException($"POST {path} on {node} answered {(int)response.StatusCode}: {problem}");
            }
        }

        return response;
    }
}
