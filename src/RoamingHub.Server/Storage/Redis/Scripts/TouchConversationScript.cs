using RoamingHub.Server.Domain;
using StackExchange.Redis;
using static RoamingHub.Server.Storage.Redis.Scripts.ScriptArgs;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>touch_conversation.lua</c>: appends a message to one participant's stream and moves the conversation to the top of their list.</summary>
internal static class TouchConversationScript
{
    private static readonly RedisScript Script = RedisScript.Get("touch_conversation.lua");

    /// <summary>
    /// The calls for one message, <paramref name="message"/> stored at <paramref name="position"/> as
    /// <paramref name="blob"/>: the arguments are built once and shared by every participant who sees the message the
    /// same way (in a group, every member but the sender), so a message to a large group builds them twice, not once
    /// per member.
    /// </summary>
    public static Touch For(RedisStoreContext store, StoredMessage message, long position, byte[] blob, bool updateList, long now) =>
        new(store, message, position, RedisProtocol.WritePositionedMessage(position, blob), updateList, now);

    /// <summary>One message's touches; see <see cref="For"/>. Not for concurrent use: one caller starts every participant's call.</summary>
    internal sealed class Touch(RedisStoreContext store, StoredMessage message, long position, byte[] positionedMessage, bool updateList, long now)
    {
        private readonly Dictionary<(string Member, bool CountUnread), RedisValue[]> _arguments = [];
        private readonly RedisValue _bounds = store.UserBounds(now);
        private readonly RedisValue _retentionFloor = Number(store.RetentionFloor(now));

        /// <summary>
        /// Appends the message to <paramref name="user"/>'s stream (once per msgId) and, with updateList, touches their
        /// list; answers the stream entry. <paramref name="db"/> may be a batch that carries every participant's call.
        /// </summary>
        public async Task<StreamEntryRef> RunAsync(IDatabaseAsync db, string user)
        {
            var member = message.ConversationFor(user).Member;
            var countUnread = user != message.From;
            if (!_arguments.TryGetValue((member, countUnread), out var arguments))
            {
                _arguments[(member, countUnread)] = arguments =
                [
                    member, Number(message.Timestamp), Number(position), positionedMessage,
                    store.Options.MaxConversationsPerUser, Flag(countUnread), message.MsgId, _retentionFloor,
                    Number(store.UnreadSetLifetime), Flag(updateList), _bounds,
                ];
            }

            var reply = await Script.RunAsync(db, store.Keys.UserScriptKeys(user, member), arguments).ConfigureAwait(false);
            return reply.Entry(1)!.Value;
        }
    }
}
