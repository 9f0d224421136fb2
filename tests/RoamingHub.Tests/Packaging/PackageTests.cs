using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using System.Xml.Linq;
using RoamingHub.Client;
using RoamingHub.Contracts;

namespace RoamingHub.Tests.Packaging;

/// <summary>
/// What <c>dotnet pack</c> makes of the solution: the two libraries a .NET app references, each with its metadata, readme
/// and licence, and nothing else; and their public API recorded, so an unrecorded change fails the build.
/// </summary>
public sealed class PackageTests
{
    private static readonly string RepositoryRoot = FindRepositoryRoot();

    [Fact]
    public async Task Packing_the_solution_makes_the_Contracts_and_Client_packages_with_version_description_readme_and_licence()
    {
        var output = Directory.CreateTempSubdirectory("roaminghub-pack-");
        try
        {
            // The configuration these tests were built in, so --no-build finds the libraries built beside them.
            var configuration = typeof(PackageTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
            var (exitCode, log) = await RunAsync("dotnet", "pack", "RoamingHub.sln", "--no-build", "-c", configuration, "-o", output.FullName);
            Assert.True(exitCode == 0, log);

            var version = XDocument.Load(Path.Combine(RepositoryRoot, "Directory.Build.props")).Descendants("Version").Single().Value;
            Assert.Matches(@"^\d+\.\d+\.\d+", version);
            Assert.Equal(
                [$"RoamingHub.Client.{version}.nupkg", $"RoamingHub.Contracts.{version}.nupkg"],
                output.GetFiles("*.nupkg").Select(f => f.Name).Order(StringComparer.Ordinal));

            foreach (var id in new[] { "RoamingHub.Client", "RoamingHub.Contracts" })
            {
                using var package = ZipFile.OpenRead(Path.Combine(output.FullName, $"{id}.{version}.nupkg"));
                XNamespace ns = "http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd";
                using var nuspecStream = package.GetEntry($"{id}.nuspec")!.Open();
                var metadata = XDocument.Load(nuspecStream).Root!.Element(ns + "metadata")!;
                string Field(string name) => metadata.Element(ns + name)?.Value ?? "";

                Assert.Equal((id, version), (Field("id"), Field("version")));
                Assert.False(string.IsNullOrWhiteSpace(Field("description")), id);
                Assert.False(string.IsNullOrWhiteSpace(Field("authors")), id);
                Assert.Equal(("expression", "MIT"), (metadata.Element(ns + "license")?.Attribute("type")?.Value, Field("license")));
                Assert.Equal("README.md", Field("readme"));
                using var readme = new StreamReader(package.GetEntry("README.md")!.Open());
                Assert.StartsWith($"# {id}", await readme.ReadToEndAsync(), StringComparison.Ordinal);
                Assert.NotNull(package.GetEntry($"lib/net10.0/{id}.dll"));
            }
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("RoamingHub.Contracts")]
    [InlineData("RoamingHub.Client")]
    public void Every_public_type_of_a_packed_library_is_in_its_recorded_public_API(string project)
    {
        var assembly = project == "RoamingHub.Client" ? typeof(RoamingHubClient).Assembly : typeof(ErrorCodes).Assembly;
        var directory = Path.Combine(RepositoryRoot, "src", project);
        var recorded = File.ReadLines(Path.Combine(directory, "PublicAPI.Shipped.txt"))
            .Concat(File.ReadLines(Path.Combine(directory, "PublicAPI.Unshipped.txt")))
            .ToHashSet(StringComparer.Ordinal);

        // The files name a type as C# does: Outer.Inner, and Page<T> for Page`1.
        static string Declared(Type type) => type.FullName!.Replace('+', '.').Split('`')[0] + (type.IsGenericTypeDefinition ? "<" : "");
        var missing = assembly.GetExportedTypes()
            .Select(Declared)
            .Where(name => !recorded.Any(line => line == name || line.StartsWith(name.EndsWith('<') ? name : name + " ", StringComparison.Ordinal)))
            .ToList();

        Assert.NotEmpty(assembly.GetExportedTypes());
        Assert.True(missing.Count == 0, "Not in PublicAPI.*.txt: " + string.Join(", ", missing));
        Assert.Contains("Microsoft.CodeAnalysis.PublicApiAnalyzers", File.ReadAllText(Path.Combine(directory, project + ".csproj")), StringComparison.Ordinal);
    }

    [Fact]
    public void The_repository_is_MIT_licensed_and_keeps_a_changelog()
    {
        var licence = File.ReadAllText(Path.Combine(RepositoryRoot, "LICENSE"));
        var changelog = File.ReadAllText(Path.Combine(RepositoryRoot, "CHANGELOG.md"));

        Assert.StartsWith("MIT License", licence, StringComparison.Ordinal);
        Assert.Contains("Copyright (c) 2026 the RoamingHub contributors", licence, StringComparison.Ordinal);
        Assert.Contains("## [Unreleased]", changelog, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Log)> RunAsync(string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string FindRepositoryRoot()
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
