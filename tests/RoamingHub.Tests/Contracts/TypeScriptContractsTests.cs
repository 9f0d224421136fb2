namespace RoamingHub.Tests.Contracts;

/// <summary>The TypeScript client's wire types are the C# contracts: the committed file is what the contracts render.</summary>
public sealed class TypeScriptContractsTests
{
    [Fact]
    public void The_TypeScript_client_types_are_generated_from_the_current_contracts()
    {
        var path = Path.Combine(RepositoryRoot(), TypeScriptContracts.RelativePath);
        var rendered = TypeScriptContracts.Render();
        if (Environment.GetEnvironmentVariable(TypeScriptContracts.WriteVariable) == "1")
        {
            File.WriteAllText(path, rendered);
        }

        var committed = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : "";
        Assert.True(
            committed == rendered,
            $"{TypeScriptContracts.RelativePath} differs from the contracts in RoamingHub.Contracts. Regenerate it with "
            + $"{TypeScriptContracts.WriteVariable}=1 dotnet test tests/RoamingHub.Tests -c Release --filter \"FullyQualifiedName~TypeScriptContractsTests\" and commit it.");
    }

    [Fact]
    public void Records_render_with_their_wire_keys_nullability_and_optional_request_fields()
    {
        var rendered = TypeScriptContracts.Render();

        Assert.Contains("export interface PinResult {\n  isPinned: boolean;\n  pinnedTime: number | null;\n  seq: number | null;\n  epoch: string | null;\n}\n", rendered, StringComparison.Ordinal);
        Assert.Contains("export interface Page<T> {\n  data: T[];\n  cursor: string | null;\n}\n", rendered, StringComparison.Ordinal);
        Assert.Contains("  conversationId?: string | null;\n  chatType?: string | null;\n  isPinned: boolean;\n", rendered, StringComparison.Ordinal);
        Assert.Contains("  lastMessage: Message | null;\n", rendered, StringComparison.Ordinal);
        Assert.Contains("export const ChatTypes = {\n  SingleChat: \"singleChat\",\n  GroupChat: \"groupChat\",\n} as const;\n", rendered, StringComparison.Ordinal);
        Assert.Contains("  SyncState: [\"lastSeq\", \"epoch\"],\n", rendered, StringComparison.Ordinal);
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
