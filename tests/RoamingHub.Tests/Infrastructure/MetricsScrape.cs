using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using RoamingHub.Contracts;

namespace RoamingHub.Tests.Infrastructure;

/// <summary>One series of a Prometheus scrape: its name, labels and value.</summary>
public sealed record MetricSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>A node's <c>/metrics</c> answer in the Prometheus text format, read the way Prometheus reads it.</summary>
public sealed partial class MetricsScrape
{
    private MetricsScrape(string text)
    {
        Text = text;
        Samples = [.. text.Split('\n').Select(ParseLine).OfType<MetricSample>()];
    }

    public string Text { get; }

    public IReadOnlyList<MetricSample> Samples { get; }

    /// <summary>Every series name in the scrape.</summary>
    public IReadOnlySet<string> Names => Samples.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>The value of the one series <paramref name="name"/> with (at least) <paramref name="labels"/>, or null.</summary>
    public double? Value(string name, params (string Label, string Value)[] labels) =>
        Samples.SingleOrDefault(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value))?.Value;

    public static async Task<MetricsScrape> FetchAsync(Uri baseAddress, string? adminKey = null)
    {
        using var http = new HttpClient { BaseAddress = baseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        if (adminKey is not null)
        {
            request.Headers.Add(AdminApi.ApiKeyHeader, adminKey);
        }

        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new MetricsScrape(await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Scrapes until <paramref name="done"/> holds or 20 s have passed, and returns the last scrape: the exporter
    /// answers from a short cache and pushes are counted as they leave, so a count may lag the call that caused it.
    /// The caller asserts on what it gets, so a failure shows the values.
    /// </summary>
    public static async Task<MetricsScrape> WaitForAsync(Uri baseAddress, Func<MetricsScrape, bool> done, string? adminKey = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var scrape = await FetchAsync(baseAddress, adminKey);
            if (done(scrape) || DateTime.UtcNow > deadline)
            {
                return scrape;
            }

            await Task.Delay(200);
        }
    }

    private static MetricSample? ParseLine(string line)
    {
        var match = SampleLine().Match(line.TrimEnd('\r'));
        if (!match.Success)
        {
            return null;
        }

        var labels = LabelPair().Matches(match.Groups["labels"].Value)
            .ToDictionary(l => l.Groups[1].Value, l => Regex.Unescape(l.Groups[2].Value), StringComparer.Ordinal);
        var value = match.Groups["value"].Value switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            var number => double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        return new MetricSample(match.Groups["name"].Value, labels, value);
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+\d+)?$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}
