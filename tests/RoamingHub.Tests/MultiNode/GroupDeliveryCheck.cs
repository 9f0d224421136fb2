using RoamingHub.Client;
using RoamingHub.Contracts;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.MultiNode;

/// <summary>
/// The proof that a removal holds: the group's next messages reach every remaining member once and in order, and
/// none reaches a removed member. It waits for markers, not for time: a last group message must reach every
/// remaining member's client, and a direct message sent after it must reach each removed member's client. Clients
/// raise their stream's entries in seq order and one node's pushes to a connection leave in order, so by the time a
/// marker is raised, anything their stream or their connection got before it has been seen.
/// </summary>
internal static class GroupDeliveryCheck
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>Sends <paramref name="count"/> messages and a marker to the group; returns what each side received, for the test's output.</summary>
    public static async Task<string> AssertOnlyRemainingMembersReceiveAsync(
        RoamingHubClient sender, string groupId, int count, IReadOnlyList<Recorder> remaining, string removedUser, IReadOnlyList<Recorder> removed)
    {
        var sent = new List<string>();
        for (var i = 0; i <= count; i++)
        {
            var body = i < count ? $"after removal {i}" : "marker";
            sent.Add((await sender.SendMessageAsync(new SendMessageRequest { To = groupId, ChatType = ChatTypes.GroupChat, Body = body })).MsgId);
        }

        var direct = await sender.SendMessageAsync(new SendMessageRequest { To = removedUser, ChatType = ChatTypes.SingleChat, Body = "direct marker" });
        foreach (var recorder in remaining)
        {
            await UntilAsync(() => recorder.Messages.Any(m => m.MsgId == sent[^1]), "the marker to reach a remaining member");
        }

        foreach (var recorder in removed)
        {
            await UntilAsync(() => recorder.Messages.Any(m => m.MsgId == direct.MsgId), "the direct marker to reach the removed member");
        }

        foreach (var recorder in remaining)
        {
            Assert.Equal(sent, recorder.Messages.Where(m => sent.Contains(m.MsgId)).Select(m => m.MsgId));
            Assert.Equal(sent, recorder.RawMessages.Where(m => sent.Contains(m.MsgId)).Select(m => m.MsgId));
        }

        foreach (var recorder in removed)
        {
            Assert.DoesNotContain(recorder.Messages, m => sent.Contains(m.MsgId));
            Assert.DoesNotContain(recorder.RawMessages, m => sent.Contains(m.MsgId));
        }

        return $"{sent.Count} group messages sent after the removal (the last a marker): "
            + $"{string.Join(", ", remaining.Select(r => r.RawMessages.Count(m => sent.Contains(m.MsgId))))} received by the remaining members' devices, "
            + $"{string.Join(", ", removed.Select(r => r.RawMessages.Count(m => sent.Contains(m.MsgId))))} by the removed member's devices";
    }

    /// <summary>How many <c>REMOVED_FROM_GROUP</c> events of the group the device's client raised.</summary>
    public static int Removals(Recorder recorder, string groupId) =>
        recorder.Events.Count(e => e.Operation == MultiDeviceOperations.RemovedFromGroup && e.ConversationId == groupId);

    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited {Patience} for {what}.");
            }

            await Task.Delay(20);
        }
    }
}
