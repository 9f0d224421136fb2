using System.Reflection;
using System.Runtime.ExceptionServices;
using StackExchange.Redis;

namespace RoamingHub.Tests.Infrastructure;

/// <summary>
/// A connection that passes everything through to a real one and, each time the script with a given hash has answered,
/// runs an interlude before the caller sees the answer: what another node could do between one step of a call and
/// the next, made to happen there every time.
/// </summary>
public class ScriptInterlude : DispatchProxy
{
    private object _target = null!;
    private byte[] _hash = null!;
    private Func<Task> _interlude = null!;

    /// <summary>
    /// <paramref name="target"/>, running <paramref name="interlude"/> after each answer of the script whose SHA1 is
    /// <paramref name="hash"/> (called by hash: a NOSCRIPT answer's repeat as text is not seen, so load it first).
    /// </summary>
    public static IConnectionMultiplexer Wrap(IConnectionMultiplexer target, byte[] hash, Func<Task> interlude) =>
        Create(target, hash, interlude);

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

        if (targetMethod.Name == nameof(IDatabaseAsync.ScriptEvaluateAsync) && args is [byte[] hash, ..]
            && hash.AsSpan().SequenceEqual(_hash) && result is Task<RedisResult> answer)
        {
            return ThenInterludeAsync(answer);
        }

        // A batch or a database handed out by the connection runs the interlude too; anything else is passed on as it is.
        return result switch
        {
            IBatch batch => Create(batch, _hash, _interlude),
            IDatabase db => Create(db, _hash, _interlude),
            _ => result,
        };
    }

    private static T Create<T>(T target, byte[] hash, Func<Task> interlude)
        where T : class
    {
        var proxy = Create<T, ScriptInterlude>();
        var self = (ScriptInterlude)(object)proxy;
        (self._target, self._hash, self._interlude) = (target, hash, interlude);
        return proxy;
    }

    private async Task<RedisResult> ThenInterludeAsync(Task<RedisResult> answer)
    {
        var result = await answer.ConfigureAwait(false);
        await _interlude().ConfigureAwait(false);
        return result;
    }
}
