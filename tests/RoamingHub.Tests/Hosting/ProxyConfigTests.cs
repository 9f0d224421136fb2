using System.Text;
using System.Text.RegularExpressions;

namespace RoamingHub.Tests.Hosting;

/// <summary>
/// The nginx config shipped in docker-compose.yml: browsers put the user's token in the hub URL
/// (<c>access_token</c>), so the proxy's access log must not write the query string.
/// </summary>
public sealed partial class ProxyConfigTests
{
    /// <summary>Variables that hold the query string, the whole request line or the token header.</summary>
    [GeneratedRegex(@"\$(request|request_uri|args|query_string|arg_[a-z_]+|http_authorization)(?![a-z_])")]
    private static partial Regex LeaksTheToken();

    [Fact]
    public void The_access_log_of_the_shipped_nginx_config_leaves_out_the_query_string_and_its_token()
    {
        var directives = Parse(NginxConfigOfDockerCompose());

        var formats = directives.Where(d => d.Words[0] == "log_format").ToDictionary(d => d.Words[1], d => string.Concat(d.Words.Skip(2)));
        var accessLogs = directives.Where(d => d.Words[0] == "access_log").ToList();

        // The image's own nginx.conf logs with a format that holds $request at the http level; only an access_log in
        // the server block replaces it rather than adding to it.
        Assert.Contains(accessLogs, d => d.Block == "server");
        Assert.All(accessLogs, log =>
        {
            Assert.NotEqual("http", log.Block);
            if (log.Words[1] != "off")
            {
                Assert.True(log.Words.Count >= 3, $"access_log {log.Words[1]} names no format, so nginx uses 'combined', which holds $request.");
                Assert.True(formats.TryGetValue(log.Words[2], out var format), $"log_format {log.Words[2]} is not defined in the shipped config.");
                Assert.DoesNotMatch(LeaksTheToken(), format);
            }
        });
    }

    [Theory]
    [InlineData("log_format plain '$remote_addr \"$request_method $uri\" $status';", true)]
    [InlineData("log_format full '$remote_addr \"$request\" $status';", false)]
    [InlineData("log_format full '$remote_addr $request_uri $status';", false)]
    [InlineData("log_format full '$remote_addr $uri?$args $status';", false)]
    [InlineData("log_format full '$remote_addr $arg_access_token';", false)]
    public void The_check_tells_a_format_that_writes_the_query_from_one_that_does_not(string logFormat, bool safe)
    {
        var format = string.Concat(Parse(logFormat).Single().Words.Skip(2));

        Assert.Equal(safe, !LeaksTheToken().IsMatch(format));
    }

    private sealed record Directive(string Block, IReadOnlyList<string> Words);

    /// <summary>The <c>content: |</c> block of the <c>nginx-roaminghub</c> config, with Compose's <c>$$</c> unescaped.</summary>
    private static string NginxConfigOfDockerCompose()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot(), "docker-compose.yml"));
        var start = Array.FindIndex(lines, l => l.Trim() == "nginx-roaminghub:");
        Assert.True(start >= 0, "docker-compose.yml defines no nginx-roaminghub config.");
        var content = Array.FindIndex(lines, start, l => l.Trim() == "content: |");
        var indent = lines[content].TakeWhile(c => c == ' ').Count();
        var body = lines.Skip(content + 1).TakeWhile(l => l.Trim().Length == 0 || l.TakeWhile(c => c == ' ').Count() > indent);
        return string.Join('\n', body).Replace("$$", "$", StringComparison.Ordinal);
    }

    /// <summary>nginx directives with the innermost block each stands in (<c>http</c> for the top of a conf.d file).</summary>
    private static List<Directive> Parse(string config)
    {
        var directives = new List<Directive>();
        var blocks = new Stack<string>();
        var words = new List<string>();
        var word = new StringBuilder();
        char? quote = null;
        for (var i = 0; i < config.Length; i++)
        {
            var c = config[i];
            if (quote is not null)
            {
                if (c == quote)
                {
                    quote = null;
                }
                else
                {
                    word.Append(c is '\\' && i + 1 < config.Length ? config[++i] : c);
                }

                continue;
            }

            switch (c)
            {
                case '\'' or '"':
                    quote = c;
                    break;
                case '#':
                    while (i + 1 < config.Length && config[i + 1] != '\n')
                    {
                        i++;
                    }

                    break;
                case ';' or '{' or '}' or ' ' or '\t' or '\n' or '\r':
                    if (word.Length > 0)
                    {
                        words.Add(word.ToString());
                        word.Clear();
                    }

                    if (c == ';')
                    {
                        directives.Add(new Directive(blocks.TryPeek(out var block) ? block : "http", [.. words]));
                        words.Clear();
                    }
                    else if (c == '{')
                    {
                        blocks.Push(words.Count > 0 ? words[0] : "?");
                        words.Clear();
                    }
                    else if (c == '}')
                    {
                        blocks.Pop();
                    }

                    break;
                default:
                    word.Append(c);
                    break;
            }
        }

        return directives;
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

        throw new InvalidOperationException("The tests run outside the repository: RoamingHub.sln was not found above " + AppContext.BaseDirectory);
    }
}
