using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using MessagePack;
using MessagePack.Formatters;

namespace RoamingHub.Server.Hosting;

/// <summary>
/// Makes the hub protocols and the admin API refuse a field that a contract object (a type of RoamingHub.Contracts,
/// nested ones included) does not have, unless its value is null: <c>searchDirection: "down"</c> used to be dropped
/// without a word. Null stays accepted, so a newer client that writes every key of a newer contract (as
/// MessagePack-CSharp does) still talks to an older server. The refusal is a <see cref="RoamingException"/>
/// (<c>INVALID_ARGUMENT</c>) thrown while the object is read; the REST exception handler answers it, and
/// <c>CodedErrorProtocol</c> hands it to the hub caller.
/// </summary>
internal static class UnknownFields
{
    private const int LongestFieldNameEchoed = 64;

    private static readonly Assembly Contracts = typeof(IIdempotentRequest).Assembly;

    /// <summary><paramref name="resolver"/> (or the reflection default), with every contract object read strictly.</summary>
    public static IJsonTypeInfoResolver RefusedBy(IJsonTypeInfoResolver? resolver) =>
        (resolver ?? new DefaultJsonTypeInfoResolver()).WithAddedModifier(RefuseUnknownJsonFields);

    /// <summary><paramref name="options"/>, with every contract object read strictly.</summary>
    public static MessagePackSerializerOptions RefusedBy(MessagePackSerializerOptions options) =>
        options.WithResolver(new RefusingResolver(options.Resolver));

    private static RoamingException Refusal(Type contract, string field, IReadOnlyList<string> fields)
    {
        var cut = field.Length > LongestFieldNameEchoed && char.IsHighSurrogate(field[LongestFieldNameEchoed - 1]) ? LongestFieldNameEchoed - 1 : LongestFieldNameEchoed;
        var name = field.Length > LongestFieldNameEchoed ? field[..cut] + "…" : field;
        var known = fields.Count == 1 ? $"whose only field is {fields[0]}" : $"whose fields are {string.Join(", ", fields.SkipLast(1))} and {fields[^1]}";
        return RoamingException.InvalidArgument($"Unknown field '{name}' in {contract.Name}, {known}; see docs/protocol.md.");
    }

    /// <summary>
    /// System.Text.Json hands every member a contract does not know to its extension-data property, value included;
    /// this adds one whose dictionary refuses a value that is not null instead of keeping it.
    /// </summary>
    private static void RefuseUnknownJsonFields(JsonTypeInfo typeInfo)
    {
        if (typeInfo.Kind != JsonTypeInfoKind.Object || typeInfo.Type.Assembly != Contracts || typeInfo.Properties.Any(p => p.IsExtensionData))
        {
            return;
        }

        var refusing = new RefusingDictionary(typeInfo.Type, [.. typeInfo.Properties.Select(p => p.Name)]);
        var unknown = typeInfo.CreateJsonPropertyInfo(typeof(IDictionary<string, JsonElement>), "(unknown fields)");
        unknown.Get = _ => refusing; // also asked for when writing: it holds nothing, so it writes nothing
        unknown.Set = static (_, _) => { };
        unknown.IsExtensionData = true;
        typeInfo.Properties.Add(unknown);
    }

    /// <summary>Takes the unknown members of one contract: a null is dropped, anything else refused. Holds nothing.</summary>
    private sealed class RefusingDictionary(Type contract, IReadOnlyList<string> fields) : IDictionary<string, JsonElement>
    {
        public JsonElement this[string key]
        {
            get => throw new KeyNotFoundException(key);
            set => Add(key, value);
        }

        public ICollection<string> Keys => [];

        public ICollection<JsonElement> Values => [];

        public int Count => 0;

        public bool IsReadOnly => false;

        public void Add(string key, JsonElement value)
        {
            if (value.ValueKind != JsonValueKind.Null)
            {
                throw Refusal(contract, key, fields);
            }
        }

        public void Add(KeyValuePair<string, JsonElement> item) => Add(item.Key, item.Value);

        public void Clear()
        {
        }

        public bool Contains(KeyValuePair<string, JsonElement> item) => false;

        public bool ContainsKey(string key) => false;

        public void CopyTo(KeyValuePair<string, JsonElement>[] array, int arrayIndex)
        {
        }

        public bool Remove(string key) => false;

        public bool Remove(KeyValuePair<string, JsonElement> item) => false;

        public bool TryGetValue(string key, out JsonElement value)
        {
            value = default;
            return false;
        }

        public IEnumerator<KeyValuePair<string, JsonElement>> GetEnumerator() => Enumerable.Empty<KeyValuePair<string, JsonElement>>().GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>SignalR's resolver, with each contract object's formatter wrapped by <see cref="RefusingFormatter{T}"/>.</summary>
    private sealed class RefusingResolver(IFormatterResolver inner) : IFormatterResolver
    {
        private readonly ConcurrentDictionary<Type, object?> _formatters = new();

        /// <summary>
        /// MessagePack asks the resolver for every object it reads or writes, nested ones included; a process usually
        /// has one resolver, whose answer a static field per type gives without a dictionary look-up.
        /// </summary>
        public IMessagePackFormatter<T>? GetFormatter<T>()
        {
            if (Last<T>.Entry is { } entry && ReferenceEquals(entry.Resolver, this))
            {
                return entry.Formatter;
            }

            var formatter = (IMessagePackFormatter<T>?)_formatters.GetOrAdd(typeof(T), static (type, inner) => Create<T>(type, inner), inner);
            Last<T>.Entry = new CachedFormatter<T>(this, formatter);
            return formatter;
        }

        private static IMessagePackFormatter<T>? Create<T>(Type type, IFormatterResolver inner)
        {
            var formatter = inner.GetFormatter<T>();
            if (formatter is null || type.Assembly != Contracts || type.GetCustomAttribute<MessagePackObjectAttribute>() is null)
            {
                return formatter;
            }

            var keys = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Select(p => p.GetCustomAttribute<KeyAttribute>()?.StringKey)
                .OfType<string>()
                .ToList();
            return keys.Count == 0 ? formatter : new RefusingFormatter<T>(formatter, type, keys);
        }
    }

    /// <summary>The formatter a resolver last answered for <typeparamref name="T"/>; one reference, so it is read and written whole.</summary>
    private static class Last<T>
    {
        public static CachedFormatter<T>? Entry;
    }

    private sealed record CachedFormatter<T>(RefusingResolver Resolver, IMessagePackFormatter<T>? Formatter);

    /// <summary>Looks over a contract map's keys before the contract's own formatter reads it.</summary>
    private sealed class RefusingFormatter<T>(IMessagePackFormatter<T> inner, Type contract, IReadOnlyList<string> fields) : IMessagePackFormatter<T>
    {
        private readonly FrozenSet<string> _known = fields.ToFrozenSet(StringComparer.Ordinal);

        public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options) => inner.Serialize(ref writer, value, options);

        public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
        {
            if (reader.NextMessagePackType == MessagePackType.Map)
            {
                var map = reader.CreatePeekReader();
                var count = map.ReadMapHeader();
                // A key that is no string names no field; the contract's own formatter decides what it makes of it.
                for (var i = 0; i < count && map.NextMessagePackType == MessagePackType.String; i++)
                {
                    var key = map.ReadString()!;
                    if (!map.IsNil && !_known.Contains(key))
                    {
                        throw Refusal(contract, key, fields);
                    }

                    map.Skip();
                }
            }

            return inner.Deserialize(ref reader, options);
        }
    }
}
