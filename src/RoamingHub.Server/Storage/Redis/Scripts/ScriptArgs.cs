using System.Globalization;
using StackExchange.Redis;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>
/// How the wrappers write values a script reads. Numbers that can exceed 2^31 (positions, Unix ms) travel as decimal
/// strings, and a script keeps them as strings or formats them with <c>%.0f</c>, since Lua's default formatting
/// would round them.
/// </summary>
internal static class ScriptArgs
{
    public static RedisValue Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary><c>'1'</c> or <c>'0'</c>, as the scripts test flags.</summary>
    public static RedisValue Flag(bool value) => value ? "1" : "0";
}
