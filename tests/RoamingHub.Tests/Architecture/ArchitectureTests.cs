using System.Reflection;
using NetArchTest.Rules;

namespace RoamingHub.Tests.Architecture;

/// <summary>
/// The shape a newcomer relies on, held so later work cannot quietly undo it: dependencies point one way
/// (Hubs/Api → Features → Domain/Storage), Lua lives in .lua files, and no file or interface grows past what a reader
/// takes in at once.
/// </summary>
public sealed class ArchitectureTests
{
    private const string Server = "RoamingHub.Server";
    private const int MaxLinesPerFile = 400;
    private const int MaxMembersPerInterface = 12;

    private static readonly Assembly ServerAssembly = typeof(Program).Assembly;

    public static TheoryData<string, string[]> ForbiddenDependencies => new()
    {
        { "Features", ["Hubs", "Api", "Hosting"] },
        { "Storage", ["Features", "Hubs", "Api", "Hosting", "Auth"] },
        { "Domain", ["Features", "Storage", "Hubs", "Api", "Hosting", "Auth"] },
        { "Hubs", ["Storage", "Api", "Hosting"] },
        { "Api", ["Storage", "Hubs", "Hosting"] },
        { "Auth", ["Features", "Storage", "Hubs", "Api", "Hosting"] },
        { "Settings", ["Features", "Storage", "Domain", "Hubs", "Api", "Hosting", "Auth", "Diagnostics"] },
        { "Diagnostics", ["Features", "Storage", "Domain", "Hubs", "Api", "Hosting", "Auth", "Settings"] },
    };

    [Theory]
    [MemberData(nameof(ForbiddenDependencies))]
    public void Layers_depend_only_downwards(string layer, string[] forbidden)
    {
        var result = Types.InAssembly(ServerAssembly)
            .That().ResideInNamespace($"{Server}.{layer}")
            .ShouldNot().HaveDependencyOnAny([.. forbidden.Select(f => $"{Server}.{f}")])
            .GetResult();

        Assert.True(result.IsSuccessful, $"{layer} must not use {string.Join(", ", forbidden)}; these do: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    [Fact]
    public void Every_layer_named_in_the_rules_exists_so_no_rule_passes_vacuously()
    {
        var namespaces = ServerAssembly.GetTypes().Select(t => t.Namespace ?? "").ToHashSet(StringComparer.Ordinal);
        var layers = ForbiddenDependencies.Select(row => (string)row[0]).Concat(ForbiddenDependencies.SelectMany(row => (string[])row[1])).Distinct();

        Assert.All(layers, layer => Assert.Contains(namespaces, n => n == $"{Server}.{layer}" || n.StartsWith($"{Server}.{layer}.", StringComparison.Ordinal)));
    }

    [Fact]
    public void No_source_file_holds_Lua()
    {
        string[] luaMarkers = ["redis.call(", "KEYS[", "ARGV["];
        var offenders = SourceFiles("*.cs")
            .Where(file => luaMarkers.Any(File.ReadAllText(file).Contains))
            .Select(RelativeToRepository)
            .ToList();

        Assert.True(offenders.Count == 0, "Lua belongs in Storage/Redis/Scripts/*.lua, not in: " + string.Join(", ", offenders));
        Assert.NotEmpty(SourceFiles("*.lua"));
    }

    [Fact]
    public void No_source_file_is_longer_than_a_reader_takes_in_at_once()
    {
        var tooLong = SourceFiles("*.cs")
            .Select(file => (File: RelativeToRepository(file), Lines: File.ReadLines(file).Count()))
            .Where(f => f.Lines > MaxLinesPerFile)
            .Select(f => $"{f.File} ({f.Lines} lines)")
            .ToList();

        Assert.True(tooLong.Count == 0, $"Split these by concept (at most {MaxLinesPerFile} lines each): {string.Join(", ", tooLong)}");
    }

    [Fact]
    public void No_interface_has_more_than_a_dozen_members()
    {
        var wide = ServerAssembly.GetTypes()
            .Where(t => t.IsInterface && t.Namespace?.StartsWith(Server, StringComparison.Ordinal) == true)
            .Select(t => (t.Name, Members: t.GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Count(m => m is MethodInfo { IsSpecialName: false } or PropertyInfo)))
            .Where(i => i.Members > MaxMembersPerInterface)
            .Select(i => $"{i.Name} ({i.Members})")
            .ToList();

        Assert.True(wide.Count == 0, $"Split these by capability (at most {MaxMembersPerInterface} members): {string.Join(", ", wide)}");
    }

    private static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static IEnumerable<string> SourceFiles(string pattern) =>
        Directory.EnumerateFiles(Path.Combine(RepositoryRoot, "src"), pattern, SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    private static string RelativeToRepository(string path) => Path.GetRelativePath(RepositoryRoot, path);

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
