using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using StackExchange.Redis;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>
/// A script's reply: its <see cref="Status"/> (the first element, from <c>lib/status.lua</c>) and the values after it.
/// Only the script's own wrapper reads it, since only the wrapper knows where each value is.
/// </summary>
internal sealed class ScriptReply(RedisResult[] values)
{
    public ScriptStatus Status => (ScriptStatus)(int)values[0];

    /// <summary>
    /// This reply, unless a final script found its operation's whole outcome stored (<c>lib/operation.lua</c>
    /// answers <c>completed</c>): then <see cref="OperationCompletedException"/>.
    /// </summary>
    public ScriptReply UnlessCompleted() => Status == ScriptStatus.Completed ? throw new OperationCompletedException() : this;

    public int Length => values.Length;

    public long Number(int index) => (long)values[index];

    /// <summary>A number, or null where the script answered <c>false</c>.</summary>
    public long? OptionalNumber(int index) => values[index].IsNull ? null : (long)values[index];

    /// <summary>A stream entry as <c>lib/event_log.lua</c> answers it, <c>{seq, epoch}</c>, or null where the script answered <c>false</c>.</summary>
    public StreamEntryRef? Entry(int index)
    {
        if (values[index].IsNull)
        {
            return null;
        }

        var entry = (RedisResult[])values[index]!;
        return new StreamEntryRef((long)entry[0], (string)entry[1]!, Appended: entry.Length < 3 || (long)entry[2] == 1);
    }

    /// <summary>An event as the script logged it (<see cref="RedisProtocol.ReadEvent"/>), or null where it answered <c>false</c>.</summary>
    public MultiDeviceEvent? Event(int index) => values[index].IsNull ? null : RedisProtocol.ReadEvent((byte[])values[index]!);

    public string Text(int index) => (string)values[index]!;

    public string? OptionalText(int index) => values[index].IsNull ? null : (string?)values[index];

    public byte[] Blob(int index) => (byte[])values[index]!;

    public byte[]? OptionalBlob(int index) => values[index].IsNull ? null : (byte[]?)values[index];

    /// <summary><paramref name="count"/> texts from <paramref name="first"/> on, or all that follow.</summary>
    public IReadOnlyList<string> Texts(int first, int? count = null) =>
        [.. values.Skip(first).Take(count ?? values.Length).Select(value => (string)value!)];

    /// <summary><paramref name="count"/> numbers from <paramref name="first"/> on.</summary>
    public IReadOnlyList<long> Numbers(int first, int count) => [.. values.Skip(first).Take(count).Select(value => (long)value)];

    /// <summary>
    /// Messages as the chat scripts answer them, a position then a blob each, from <paramref name="first"/> on. The
    /// blob is checked (<see cref="EncodedMessage.Read"/>), so a damaged entry fails the call.
    /// </summary>
    public IReadOnlyList<EncodedMessage> Messages(int first)
    {
        var messages = new List<EncodedMessage>((values.Length - first) / 2);
        for (var i = first; i + 1 < values.Length; i += 2)
        {
            messages.Add(EncodedMessage.Read(Blob(i + 1), Number(i)));
        }

        return messages;
    }
}
