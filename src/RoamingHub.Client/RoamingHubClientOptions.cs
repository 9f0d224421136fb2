namespace RoamingHub.Client;

/// <summary>Wire protocol a <see cref="RoamingHubClient"/> speaks; the server accepts both with identical shapes.</summary>
public enum RoamingHubProtocol
{
    Json,
    MessagePack,
}

/// <summary>How a <see cref="RoamingHubClient"/> connects.</summary>
public sealed class RoamingHubClientOptions
{
    /// <summary>Base address of a RoamingHub node, e.g. <c>http://localhost:5080</c>.</summary>
    public required Uri ServerUrl { get; init; }

    /// <summary>Returns the user's bearer token; called at every (re)connect.</summary>
    public required Func<Task<string?>> AccessTokenProvider { get; init; }

    /// <summary>Names this device in the events it causes; the connection id when null.</summary>
    public string? DeviceId { get; init; }

    public RoamingHubProtocol Protocol { get; init; } = RoamingHubProtocol.MessagePack;

    /// <summary>
    /// Reconnect by itself after a dropped connection, then catch up with <c>SyncEvents</c>; and have
    /// <see cref="RoamingHubClient.StartAsync"/> try again while connecting fails for a reason that may pass. When
    /// false, StartAsync makes one attempt.
    /// </summary>
    public bool AutomaticReconnect { get; init; } = true;

    /// <summary>
    /// Waits between attempts to connect (in <see cref="RoamingHubClient.StartAsync"/>) and to reconnect, giving up
    /// after the last. When null, the client tries until it is disposed (or StartAsync's token fires), each wait a
    /// random time below a ceiling that doubles from 1 s to 30 s.
    /// </summary>
    public IReadOnlyList<TimeSpan>? ReconnectDelays { get; init; }

    /// <summary>
    /// The last stream seq this device applied (for example persisted from an earlier run): the client replays what
    /// came after it when it starts. When null, the client starts from the server's current seq.
    /// </summary>
    public long? InitialSeq { get; init; }

    /// <summary>
    /// The epoch <see cref="InitialSeq"/> belongs to (<see cref="RoamingHubClient.Epoch"/> of the earlier run): when
    /// the server's stream has started a new epoch since, the client raises <c>ResyncRequired</c> instead of replaying.
    /// </summary>
    public string? InitialEpoch { get; init; }

    /// <summary>
    /// How often the client asks the server for its newest seq while connected, and catches up when it is behind.
    /// Live pushes are at most once: a push lost while the backplane was reconnecting shows up here even when no
    /// later push arrives to reveal the gap (any later push, and every reconnect, reveals it at once). Every probe is
    /// a call and a Redis read for each idle device, which was most of what an idle connection cost the server at
    /// 30 s, so the default is 5 minutes: the bound on how late such a rare loss is noticed. Null turns the probe off.
    /// </summary>
    public TimeSpan? SyncProbeInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a gap in the stream may wait for its missing entry before the client fills it from <c>SyncEvents</c>.
    /// A push is most often missing only because a later one overtook it (two calls, or two nodes, pushing to the user
    /// at once, as in a busy group), and arrives a few milliseconds later; asking the server at once would cost a call
    /// and a store read for each of those, on every device. A push that was really lost is recovered this much later.
    /// <see cref="TimeSpan.Zero"/> fills every gap at once; at most one minute.
    /// </summary>
    public TimeSpan GapGrace { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Timeout of hub invocations; an invocation gives up at most a tenth of a second after it. <see cref="Timeout.InfiniteTimeSpan"/>
    /// or more than a day means no timeout.
    /// </summary>
    public TimeSpan InvocationTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
