using System.Buffers;
using System.Text;
using MessagePack;
using Microsoft.Extensions.Options;
using RoamingHub.Server.Features.Behaviors;
using RoamingHub.Server.Settings;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Messages;

/// <summary>
/// Sends a message: stored once, delivered to every device of the recipient (in group chat, of every member) and to
/// the sender's other devices.
/// <see cref="ServerSide"/> marks a message the admin API sends on a user's behalf: it goes into history and is
/// delivered live, and moves conversations in lists only when <c>Roaming:RestMessagesUpdateConversations</c> is on.
/// A <c>clientOpId</c> keeps the message's id and time and the sender's entry for the window, not the message: a
/// repeat (<see cref="Repeat"/>) reads the message back from its chat.
/// </summary>
internal sealed record SendMessage(Caller Caller, SendMessageRequest Request, bool ServerSide = false)
    : ICommand<Message>, IIdempotentCommand<SendMessageRequest>, ICompactOutcome<SendMessage, Message>
{
    /// <summary>For a repeat, what the first call kept (<see cref="SentOutcome"/>); null for a call that sends.</summary>
    public ReadOnlyMemory<byte>? Repeat { get; private init; }

    public byte[] Compact(Message response) => SentOutcome.Write(response);

    public SendMessage AsRepeat(ReadOnlyMemory<byte> outcome) => this with { Repeat = outcome };
}

/// <summary>
/// What a repeat of a send needs, kept for the idempotency window instead of the answer: a MessagePack array
/// <c>[msgId, timestamp, seq, epoch, chatType, to, digest]</c> (the sender's stream entry, where the message went, and
/// 8 bytes of a SHA-256 of its type and body), under a hundred bytes whatever the body. The target and the digest
/// let a repeat that is not the same call be refused rather than answered with a message that was never sent.
/// </summary>
internal static class SentOutcome
{
    public static byte[] Write(Message sent)
    {
        var buffer = new ArrayBufferWriter<byte>(96);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(7);
        writer.Write(sent.MsgId);
        writer.Write(sent.Timestamp);
        writer.Write(sent.Seq ?? 0);
        writer.Write(sent.Epoch);
        writer.Write(sent.ChatType);
        writer.Write(sent.To);
        writer.Write(Digest(sent.Type, sent.Body));
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    public static Kept Read(ReadOnlyMemory<byte> outcome)
    {
        var reader = new MessagePackReader(outcome);
        reader.ReadArrayHeader();
        return new Kept(
            reader.ReadString()!, reader.ReadInt64(), reader.ReadInt64(), reader.ReadString(), reader.ReadString()!, reader.ReadString()!,
            reader.ReadBytes()!.Value.ToArray());
    }

    /// <summary>8 bytes of a SHA-256 of a message's type and body: enough to tell a changed repeat from the same one.</summary>
    public static byte[] Digest(string type, string body) =>
        System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes($"{type}\n{body}"))[..8];

    public sealed record Kept(string MsgId, long Timestamp, long Seq, string? Epoch, string ChatType, string To, byte[] Digest);
}

internal sealed class SendMessageHandler(
    IMessageStore messages, ISendBudget sendBudget, IDeviceNotifier notifier, TimeProvider time, IOptions<RoamingOptions> options)
    : ICommandHandler<SendMessage, Message>
{
    private const string DefaultType = "text";
    private const int MaxTypeLength = 32;
    private const int MaxClientMsgIdLength = 128;
    private static readonly SearchValues<char> AsciiLettersAndDigits =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");

    public async ValueTask<Message> Handle(SendMessage command, CancellationToken cancellationToken)
    {
        var (caller, request, serverSide) = command;
        var conversation = ConversationRef.Parse(request.ChatType, request.To, caller.UserId);
        if (command.Repeat is { } repeat)
        {
            return await AnswerRepeatAsync(caller, request, conversation, repeat, cancellationToken).ConfigureAwait(false);
        }

        var body = request.Body ?? throw RoamingException.InvalidArgument("body is required.");
        var maxBody = options.Value.MaxMessageBodyBytes;
        if (body.Length == 0 || Encoding.UTF8.GetByteCount(body) > maxBody)
        {
            throw RoamingException.InvalidArgument($"body must hold 1 to {maxBody} bytes of UTF-8 text.");
        }

        var type = string.IsNullOrEmpty(request.Type) ? DefaultType : request.Type;
        if (type.Length > MaxTypeLength || type.AsSpan().ContainsAnyExcept(AsciiLettersAndDigits))
        {
            throw RoamingException.InvalidArgument($"type must be 1 to {MaxTypeLength} ASCII letters or digits.");
        }

        // A clientOpId also dedupes the message itself, so even a retry after the claim's lease ran out stores it once.
        var clientMsgId = request.ClientMsgId ?? request.ClientOpId;
        if (clientMsgId is not null)
        {
            Ids.RequireToken(clientMsgId, "clientMsgId", MaxClientMsgIdLength);
        }

        var now = time.GetUtcNow();
        var draft = new MessageDraft(Guid.CreateVersion7(now).ToString("N"), conversation.ChatType, caller.UserId, conversation.Id, type, body, clientMsgId);
        if (conversation.IsGroup && !serverSide)
        {
            // The send limit: a group message costs its member count, charged before anything is stored.
            await sendBudget.ChargeGroupSendAsync(caller.UserId, conversation.Id, now.ToUnixTimeMilliseconds(), cancellationToken).ConfigureAwait(false);
        }

        var updateConversations = !serverSide || options.Value.RestMessagesUpdateConversations;
        var (message, _, participants, entries, recalled) = await messages.SendMessageAsync(draft, now.ToUnixTimeMilliseconds(), updateConversations, cancellationToken).ConfigureAwait(false);
        var asSent = message.ToWire(caller.UserId);
        var own = entries[caller.UserId];
        if (recalled)
        {
            // A retry of a send whose message was recalled since: the caller gets its answer, nobody gets the text again
            // (a stream entry it may still have appended somewhere is redacted at replay).
            return asSent with { Seq = own.Seq, Epoch = own.Epoch };
        }

        // Pushed to the users whose entry this call appended. A repeat whose first attempt appended an entry got that
        // far, and its push went right after; one that stopped before appending (a half-finished send) is delivered now.
        // A device that missed the first push anyway finds the entry in its stream.
        PushTarget Target(string user) => new(user, entries[user].Seq, entries[user].Epoch);
        bool Appended(string user) => entries[user].Appended;
        if (conversation.IsGroup)
        {
            // Every member as the group's member list has them now, the sender's other devices included: one push.
            notifier.Deliver(Push.Message(asSent, [.. participants.Where(Appended).Select(Target)], caller.ConnectionId));
        }
        else
        {
            notifier.Deliver([
                .. Appended(conversation.Id) ? [Push.Message(message.ToWire(conversation.Id), [Target(conversation.Id)])] : Array.Empty<Push>(),
                .. Appended(caller.UserId) ? [Push.Message(asSent, [Target(caller.UserId)], caller.ConnectionId)] : Array.Empty<Push>(),
            ]);
        }

        return asSent with { Seq = own.Seq, Epoch = own.Epoch };
    }

    /// <summary>
    /// The first call's answer again, the message read back from its chat. Once the chat no longer holds it (past
    /// retention, its group deleted), the answer is rebuilt from the repeated request, which must be the same call:
    /// a repeat to another recipient, or with another type or body, is refused.
    /// </summary>
    private async ValueTask<Message> AnswerRepeatAsync(
        Caller caller, SendMessageRequest request, ConversationRef conversation, ReadOnlyMemory<byte> repeat, CancellationToken cancellationToken)
    {
        var kept = SentOutcome.Read(repeat);
        var type = string.IsNullOrEmpty(request.Type) ? DefaultType : request.Type;
        if (kept.ChatType != conversation.ChatType || kept.To != conversation.Id
            || !kept.Digest.AsSpan().SequenceEqual(SentOutcome.Digest(type, request.Body ?? "")))
        {
            throw RoamingException.InvalidArgument(
                $"clientOpId {request.ClientOpId} was already used for another message (its recipient, type or body differ); use a new clientOpId for a new message.");
        }

        var stored = await messages.FindMessageAsync(caller.UserId, conversation, kept.MsgId, cancellationToken).ConfigureAwait(false)
            ?? new StoredMessage(kept.MsgId, conversation.ChatType, caller.UserId, conversation.Id, kept.Timestamp, type, request.Body ?? "");
        return stored.ToWire(caller.UserId) with { Seq = kept.Seq, Epoch = kept.Epoch };
    }
}
