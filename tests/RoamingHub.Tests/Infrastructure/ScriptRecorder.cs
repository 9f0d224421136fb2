using System.Reflection;
using System.Runtime.ExceptionServices;
using StackExchange.Redis;

namespace RoamingHub.Tests.Infrastructure;

/// <summary>
/// A connection that passes everything through to a real one and records each script called by its hash
/// (<c>EVALSHA</c>: the hash, keys and arguments) in the order sent, pipelined batches included, so a test can run
/// each of a call's scripts again on its own.
/// </summary>
public class ScriptRecorder : DispatchProxy
{
    private object _target = null!;
    private List<RecordedScript> _calls = null!;

    /// <summary><paramref name="target"/>, recording into <paramref name="calls"/>.</summary>
    public static IConnectionMultiplexer Wrap(IConnectionMultiplexer target, List<RecordedScript> calls) => Create(target, calls);

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == nameof(IDatabaseAsync.ScriptEvaluateAsync) && args is [byte[] hash, var keys, var values, ..])
        {
            lock (_calls)
            {
                _calls.Add(new RecordedScript(hash, (RedisKey[]?)keys ?? [], (RedisValue[]?)values ?? []));
            }
        }

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

        // A batch or a database handed out by the connection records too; anything else is passed on as it is.
        return result switch
        {
            IBatch batch => Create(batch, _calls),
            IDatabase db => Create(db, _calls),
            _ => result,
        };
    }

    private static T Create<T>(T target, List<RecordedScript> calls)
        where T : class
    {
        var proxy = Create<T, ScriptRecorder>();
        var recorder = (ScriptRecorder)(object)proxy;
        (recorder._target, recorder._calls) = (target, calls);
        return proxy;
    }
}

/// <summary>One script call as sent: the script's SHA1, its keys and its arguments.</summary>
public sealed record RecordedScript(byte[] Hash, RedisKey[] Keys, RedisValue[] Values);
