using System.Text;
using Microsoft.Extensions.Options;

namespace RoamingHub.Server.Auth;

/// <summary>Token signing and the admin API key, bound from the <c>Auth</c> configuration section.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>The signing key shipped in appsettings.Development.json; refused outside Development.</summary>
    public const string SampleSigningKey = "dev-only-signing-key-change-me-0123456789abcdef";

    /// <summary>The admin key shipped in appsettings.Development.json; refused outside Development.</summary>
    public const string SampleAdminApiKey = "dev-only-admin-key";

    public const string Issuer = "roaminghub";
    public const string Audience = "roaminghub";

    /// <summary>HS256 key for user tokens; at least 32 bytes.</summary>
    public string SigningKey { get; set; } = "";

    /// <summary>Key required in <c>X-Api-Key</c> by the admin REST API.</summary>
    public string AdminApiKey { get; set; } = "";

    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Browser origins allowed to open hub connections (for example <c>https://app.example.com</c>). Empty allows
    /// any; requests without an Origin header (native apps) are always allowed.
    /// </summary>
    public IReadOnlyList<string> AllowedOrigins { get; set; } = [];

    internal byte[] SigningKeyBytes => Encoding.UTF8.GetBytes(SigningKey);
}

/// <summary>Refuses to start with missing keys, and outside Development with the sample keys from the repository.</summary>
internal sealed class AuthOptionsValidator(IHostEnvironment environment) : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var failures = new List<string>();
        if (Encoding.UTF8.GetByteCount(options.SigningKey) < 32)
        {
            failures.Add("Auth:SigningKey must be set and at least 32 bytes long.");
        }

        if (options.AdminApiKey.Length < 16)
        {
            failures.Add("Auth:AdminApiKey must be set and at least 16 characters long.");
        }

        if (!environment.IsDevelopment()
            && (options.SigningKey == AuthOptions.SampleSigningKey || options.AdminApiKey == AuthOptions.SampleAdminApiKey))
        {
            failures.Add("Auth:SigningKey and Auth:AdminApiKey still hold the sample values from the repository; set your own outside Development.");
        }

        if (options.TokenLifetime <= TimeSpan.Zero)
        {
            failures.Add("Auth:TokenLifetime must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
