using System.Reflection;
using System.Runtime.ExceptionServices;
using StackExchange.Redis;

namespace RoamingHub.Tests.Infrastructure;

/// <summary>
/// A connection that passes everything through to a real one and hands each script called by its hash
/// (<c>EVALSHA</c>), pipelined batches included, to a tap: the call as sent and its answer, which the tap returns
/// (or a task that waits for something first) to the caller.
/// </summary>
public class ScriptTap : DispatchProxy
{
    private object _target = null!;
    private Func<RecordedScript, Task<RedisResult>, Task<RedisResult>> _tap = null!;

    /// <summary><paramref name="target"/>, each script call and its answer handed to <paramref name="tap"/>.</summary>
    public static IConnectionMultiplexer Wrap(IConnectionMultiplexer target, Func<RecordedScript, Task<RedisResult>, Task<RedisResult>> tap) =>
        Create(target, tap);

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        object? result;
        try
        {
            result = targetMethod.Invoke(_target, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(ex.InnerException);
            throw;
        }

        if (targetMethod.Name == nameof(IDatabaseAsync.ScriptEvaluateAsync) && args is [byte[] hash, var keys, var values, ..]
            && result is Task<RedisResult> answer)
        {
            return _tap(new RecordedScript(hash, (RedisKey[]?)keys ?? [], (RedisValue[]?)values ?? []), answer);
        }

        // A batch or a database handed out by the connection is tapped too; anything else is passed on as it is.
        return result switch
        {
            IBatch batch => Create(batch, _tap),
            IDatabase db => Create(db, _tap),
            _ => result,
        };
    }

    private static T Create<T>(T target, Func<RecordedScript, Task<RedisResult>, Task<RedisResult>> tap)
        where T : class
    {
        var proxy = Create<T, ScriptTap>();
        var self = (ScriptTap)(object)proxy;
        (self._target, self._tap) = (target, tap);
        return proxy;
    }
}

/// <summary>Records each script call in the order sent, so a test can run each of a call's scripts again on its own.</summary>
public static class ScriptRecorder
{
    /// <summary><paramref name="target"/>, recording into <paramref name="calls"/>.</summary>
    public static IConnectionMultiplexer Wrap(IConnectionMultiplexer target, List<RecordedScript> calls) =>
        ScriptTap.Wrap(target, (call, answer) =>
        {
            lock (calls)
            {
                calls.Add(call);
            }

            return answer;
        });
}

/// <summary>
/// Runs an interlude each time the script with a given hash has answered, before the caller sees the answer: what
/// another node could do between one step of a call and the next, made to happen there every time.
/// </summary>
public static class ScriptInterlude
{
    /// <summary>
    /// <paramref name="target"/>, running <paramref name="interlude"/> after each answer of the script whose SHA1 is
    /// <paramref name="hash"/> (called by hash: a NOSCRIPT answer's repeat as text is not seen, so load it first).
    /// </summary>
    public static IConnectionMultiplexer Wrap(IConnectionMultiplexer target, byte[] hash, Func<Task> interlude) =>
        ScriptTap.Wrap(target, (call, answer) => call.Hash.AsSpan().SequenceEqual(hash) ? ThenAsync(answer, interlude) : answer);

    private static async Task<RedisResult> ThenAsync(Task<RedisResult> answer, Func<Task> interlude)
    {
        var result = await answer.ConfigureAwait(false);
        await interlude().ConfigureAwait(false);
        return result;
    }
}

/// <summary>One script call as sent: the script's SHA1, its keys and its arguments.</summary>
public sealed record RecordedScript(byte[] Hash, RedisKey[] Keys, RedisValue[] Values);
