using System.Text.RegularExpressions;

namespace RoamingHub.Tests.Observability;

/// <summary>
/// The Prometheus and Grafana that docker-compose.yml ships, read as text since compose cannot run here: Prometheus
/// scrapes every node the proxy serves, with the admin key the nodes are given, and Grafana loads the dashboard the
/// dashboard tests check.
/// </summary>
public sealed partial class ComposeMonitoringTests
{
    [Fact]
    public void Prometheus_scrapes_every_node_the_proxy_serves_with_the_nodes_admin_key()
    {
        var compose = File.ReadAllText(Path.Combine(RepositoryRoot(), "docker-compose.yml"));

        var served = UpstreamServer().Matches(compose).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal).ToList();
        var scraped = ScrapeTargets().Match(compose).Groups[1].Value.Split(',').Select(t => t.Trim().Trim('"')).Order(StringComparer.Ordinal).ToList();
        var adminKeyVariable = AdminKeyOfNodes().Matches(compose).Select(m => m.Groups[1].Value).Distinct().Single();

        Assert.Equal(["hub1:8080", "hub2:8080"], served);
        Assert.Equal(served, scraped);
        Assert.Matches($@"credentials: ""\$\{{{adminKeyVariable}(:\?[^}}]*)?\}}""", compose);
    }

    [Fact]
    public void Grafana_is_provisioned_with_the_dashboard_in_the_repository()
    {
        var compose = File.ReadAllText(Path.Combine(RepositoryRoot(), "docker-compose.yml"));

        Assert.Contains("file: ./deploy/grafana/roaminghub-dashboard.json", compose, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(RepositoryRoot(), "deploy", "grafana", "roaminghub-dashboard.json")));
        Assert.Contains("uid: prometheus", compose, StringComparison.Ordinal);
        Assert.Contains("\"uid\": \"prometheus\"", File.ReadAllText(Path.Combine(RepositoryRoot(), "deploy", "grafana", "roaminghub-dashboard.json")), StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "RoamingHub.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("RoamingHub.sln was not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^\s*server (\S+);", RegexOptions.Multiline)]
    private static partial Regex UpstreamServer();

    [GeneratedRegex(@"- targets: \[([^\]]*)\]")]
    private static partial Regex ScrapeTargets();

    [GeneratedRegex(@"Auth__AdminApiKey: \$\{(\w+)")]
    private static partial Regex AdminKeyOfNodes();
}
