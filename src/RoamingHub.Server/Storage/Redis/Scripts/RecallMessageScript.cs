using RoamingHub.Server.Domain;
using StackExchange.Redis;
using static RoamingHub.Server.Storage.Redis.Scripts.ScriptArgs;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>recall_message.lua</c>: the chat side of a recall.</summary>
internal static class RecallMessageScript
{
    private static readonly RedisScript Script = RedisScript.Get("recall_message.lua");

    /// <summary>
    /// The recalled message's position and, per participant, their newest visible message now (null for none); for
    /// <see cref="ScriptStatus.KeysChanged"/>, the group's members in <see cref="Members"/>.
    /// </summary>
    public sealed record Reply(ScriptStatus Status, long Position, IReadOnlyList<(string UserId, Candidate? Newest)> Participants, IReadOnlyList<string> Members);

    /// <summary>A message to show as the last one instead of the recalled one: its msgId and its entry, <c>position|blob</c>.</summary>
    public sealed record Candidate(string MsgId, byte[] Entry);

    public static async Task<Reply> RunAsync(
        RedisStoreContext store, string userId, ConversationRef conversation, string msgId, IReadOnlyList<string> participants, long now)
    {
        var (keys, chat) = (store.Keys, conversation.ChatKey(userId));
        var reply = await Script.RunAsync(
            store.Db,
            [
                keys.Messages(chat), keys.MessageBodies(chat), keys.Recalled(chat), keys.Watermarks(chat), keys.GroupMembers(chat),
                .. participants.Select(participant => keys.Hidden(chat, participant)),
            ],
            [
                userId, msgId, Number(now), Number((long)store.Options.RecallWindow.TotalMilliseconds), Number(store.RetentionFloor(now)),
                Number(store.ChatKeyLifetime), RedisStoreContext.HistoryScanCap, Flag(conversation.IsGroup),
                .. participants.Select(participant => (RedisValue)participant),
            ]).ConfigureAwait(false);
        if (reply.Status == ScriptStatus.KeysChanged)
        {
            return new Reply(reply.Status, 0, [], reply.Texts(1));
        }

        if (reply.Status is not (ScriptStatus.Ok or ScriptStatus.Unchanged))
        {
            return new Reply(reply.Status, reply.Length > 1 ? reply.Number(1) : 0, [], []);
        }

        // {status, position, n, n positions, n blobs, n msgIds, then a user id and a candidate index (0: none) each}.
        var count = (int)reply.Number(2);
        var newest = new Candidate[count];
        for (var i = 0; i < count; i++)
        {
            newest[i] = new Candidate(reply.Text(3 + (2 * count) + i), RedisProtocol.WritePositionedMessage(reply.Number(3 + i), reply.Blob(3 + count + i)));
        }

        var answered = new List<(string, Candidate?)>();
        for (var i = 3 + (3 * count); i + 1 < reply.Length; i += 2)
        {
            var index = (int)reply.Number(i + 1);
            answered.Add((reply.Text(i), index == 0 ? null : newest[index - 1]));
        }

        return new Reply(reply.Status, reply.Number(1), answered, []);
    }
}
