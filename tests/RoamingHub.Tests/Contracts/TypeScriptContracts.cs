using System.Globalization;
using System.Reflection;
using System.Text;
using MessagePack;
using RoamingHub.Contracts;

namespace RoamingHub.Tests.Contracts;

/// <summary>
/// Renders the TypeScript client's wire types (<c>src/roaminghub-client-ts/src/contracts.generated.ts</c>) from the
/// RoamingHub.Contracts assembly: one interface per <c>[MessagePackObject]</c> record with its <c>[Key]</c> names,
/// one constant object per static class of string constants, and the key list of every record, so the client's tests
/// can check that the server sends exactly these keys. Requests (records named <c>…Request</c>) make their nullable
/// fields optional; every other record has all its keys, <c>null</c> where they do not apply, as the server sends them.
/// </summary>
internal static class TypeScriptContracts
{
    /// <summary>Where the file lives, from the repository root.</summary>
    public static readonly string RelativePath = Path.Combine("src", "roaminghub-client-ts", "src", "contracts.generated.ts");

    /// <summary>Set to 1 to have the test write the file instead of comparing it.</summary>
    public const string WriteVariable = "ROAMINGHUB_WRITE_TS_CONTRACTS";

    private static readonly NullabilityInfoContext Nullability = new();

    public static string Render()
    {
        var assembly = typeof(RoamingProtocol).Assembly;
        var records = assembly.GetExportedTypes()
            .Where(t => t.GetCustomAttribute<MessagePackObjectAttribute>() is not null)
            .OrderBy(t => Name(t), StringComparer.Ordinal)
            .ToList();
        var constants = assembly.GetExportedTypes()
            .Where(t => t is { IsAbstract: true, IsSealed: true } && Literals(t).Any())
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToList();

        var text = new StringBuilder();
        text.Append("// Generated from the RoamingHub.Contracts assembly by tests/RoamingHub.Tests/Contracts/TypeScriptContracts.cs: do not edit.\n");
        text.Append("// TypeScriptContractsTests fails when this file differs from the contracts; regenerate it with\n");
        text.Append($"//   {WriteVariable}=1 dotnet test tests/RoamingHub.Tests -c Release --filter \"FullyQualifiedName~TypeScriptContractsTests\"\n");
        text.Append("// Times are Unix milliseconds (numbers); every key of a result or entry is present, null where it does not apply.\n");
        foreach (var type in constants)
        {
            text.Append('\n');
            text.Append(CultureInfo.InvariantCulture, $"/** Constants of {type.Name} in RoamingHub.Contracts. */\n");
            text.Append(CultureInfo.InvariantCulture, $"export const {type.Name} = {{\n");
            foreach (var field in Literals(type))
            {
                text.Append(CultureInfo.InvariantCulture, $"  {field.Name}: {Quote((string)field.GetRawConstantValue()!)},\n");
            }

            text.Append("} as const;\n");
        }

        foreach (var type in records)
        {
            var isRequest = type.Name.EndsWith("Request", StringComparison.Ordinal);
            text.Append('\n');
            text.Append(CultureInfo.InvariantCulture, $"/** {type.Name.Split('`')[0]} of RoamingHub.Contracts{(isRequest ? "; nullable fields may be left out" : "")}. */\n");
            text.Append(CultureInfo.InvariantCulture, $"export interface {Name(type)} {{\n");
            foreach (var (key, property) in Keys(type))
            {
                var nullable = IsNullable(property);
                var optional = isRequest && nullable ? "?" : "";
                text.Append(CultureInfo.InvariantCulture, $"  {key}{optional}: {TypeOf(property.PropertyType)}{(nullable ? " | null" : "")};\n");
            }

            text.Append("}\n");
        }

        text.Append("\n/** The keys of each record, in the order the server writes them: a result or entry has exactly these. */\n");
        text.Append("export const ContractKeys = {\n");
        foreach (var type in records)
        {
            var keys = string.Join(", ", Keys(type).Select(k => Quote(k.Key)));
            text.Append(CultureInfo.InvariantCulture, $"  {type.Name.Split('`')[0]}: [{keys}],\n");
        }

        text.Append("} as const;\n");
        return text.ToString();
    }

    private static IEnumerable<FieldInfo> Literals(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f is { IsLiteral: true } && f.FieldType == typeof(string))
            .OrderBy(f => f.MetadataToken);

    private static IEnumerable<(string Key, PropertyInfo Property)> Keys(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Attribute: p.GetCustomAttribute<KeyAttribute>(), Property: p))
            .Where(p => p.Attribute?.StringKey is not null)
            .OrderBy(p => p.Property.MetadataToken)
            .Select(p => (p.Attribute!.StringKey!, p.Property));

    private static bool IsNullable(PropertyInfo property) =>
        Nullable.GetUnderlyingType(property.PropertyType) is not null
        || (!property.PropertyType.IsValueType && !property.PropertyType.IsGenericParameter && Nullability.Create(property).ReadState == NullabilityState.Nullable);

    private static string Name(Type type) =>
        type.IsGenericTypeDefinition ? $"{type.Name.Split('`')[0]}<{string.Join(", ", type.GetGenericArguments().Select(a => a.Name))}>" : type.Name;

    private static string TypeOf(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return TypeOf(underlying);
        }

        if (type.IsGenericParameter)
        {
            return type.Name;
        }

        if (type == typeof(string))
        {
            return "string";
        }

        if (type == typeof(bool))
        {
            return "boolean";
        }

        if (type == typeof(int) || type == typeof(long) || type == typeof(double))
        {
            return "number";
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
        {
            var element = TypeOf(type.GetGenericArguments()[0]);
            return $"{element}[]";
        }

        if (type.GetCustomAttribute<MessagePackObjectAttribute>() is not null)
        {
            return type.IsGenericType
                ? $"{type.Name.Split('`')[0]}<{string.Join(", ", type.GetGenericArguments().Select(TypeOf))}>"
                : type.Name;
        }

        throw new NotSupportedException($"No TypeScript type for {type}: teach TypeScriptContracts.TypeOf how the server writes it.");
    }

    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
