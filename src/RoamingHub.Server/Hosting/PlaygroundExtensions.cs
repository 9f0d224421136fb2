using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;
using RoamingHub.Server.Api;

namespace RoamingHub.Server.Hosting;

/// <summary>
/// The browser playground, in Development only: the page at <c>/playground/</c> (the files of <c>Playground/</c>,
/// embedded in the assembly so <c>dotnet run</c> and a test's copy of the dll serve the same page with no build step
/// of their own) and its token route <c>POST /dev/tokens</c>. Outside Development neither exists.
/// </summary>
internal static class PlaygroundExtensions
{
    public const string PagePath = "/playground";

    /// <summary>
    /// The page loads only its own files and talks only to the node that served it (its hub is on the same origin,
    /// over WebSockets, which connect-src 'self' covers); message bodies are rendered as text, and this keeps anything else from running if one slipped.
    /// </summary>
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static WebApplication MapPlayground(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            return app;
        }

        app.UseFileServer(new FileServerOptions
        {
            RequestPath = PagePath,
            FileProvider = new ManifestEmbeddedFileProvider(typeof(PlaygroundExtensions).Assembly, "Playground"),
            RedirectToAppendTrailingSlash = true,
            StaticFileOptions =
            {
                OnPrepareResponse = context =>
                {
                    var headers = context.Context.Response.Headers;
                    // Revalidated on every load, so a rebuilt server serves its new bundle to an open tab's reload.
                    headers.CacheControl = "no-cache";
                    headers[HeaderNames.ContentSecurityPolicy] = ContentSecurityPolicy;
                    headers.XContentTypeOptions = "nosniff";
                },
            },
        });
        app.MapDevTokens();
        return app;
    }
}
