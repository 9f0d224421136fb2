namespace RoamingHub.Server.Features.Behaviors;

/// <summary>
/// An idempotent command whose answer is too large to keep whole for its repeats (a sent message holds its body):
/// the window keeps only what a repeat needs (<see cref="Compact"/>), and a repeat is handed to the command's handler
/// marked as one (<see cref="AsRepeat"/>), which rebuilds the answer from it and from what the store still holds,
/// changing and pushing nothing.
/// </summary>
internal interface ICompactOutcome<out TMessage, in TResponse>
{
    /// <summary>What a repeat needs to rebuild <paramref name="response"/>.</summary>
    byte[] Compact(TResponse response);

    /// <summary>This command as a repeat of the call whose <see cref="Compact"/> outcome is <paramref name="outcome"/>.</summary>
    TMessage AsRepeat(ReadOnlyMemory<byte> outcome);
}
