using RoamingHub.Server.Api;
using Scalar.AspNetCore;

namespace RoamingHub.Server.Hosting;

/// <summary>
/// Serves the admin API's OpenAPI document at <c>/openapi/v1.json</c>, and Scalar's interactive page at <c>/scalar</c>
/// in Development only.
/// </summary>
internal static class AdminApiDescriptionExtensions
{
    public const string DocumentPath = "/openapi";

    public static IServiceCollection AddAdminApiDescription(this IServiceCollection services) =>
        services.AddOpenApi(AdminApiDocument.DocumentName, AdminApiDocument.Configure);

    public static WebApplication MapAdminApiDescription(this WebApplication app)
    {
        // The document names no secret, but outside Development it maps the admin surface for whoever asks, so it
        // takes the same key as the API it describes; an operator's tooling sends the header it already has.
        if (!app.Environment.IsDevelopment())
        {
            app.UseWhen(context => context.Request.Path.StartsWithSegments(DocumentPath), document => document.Use(AdminEndpoints.RequireAdminKey));
        }

        app.MapOpenApi(DocumentPath + "/{documentName}.json");
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference();
        }

        return app;
    }
}
