using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Storage;

namespace RoamingHub.Tests.Storage;

/// <summary>The state the scripts are damaged on, and every store call that runs a script.</summary>
public sealed partial class RedisAllOrNothingTests
{
    private const long T0 = 1_790_000_000_000;

    /// <summary>Calls come ten minutes after the state was built, so each user's keys are renewed too (lib/user_lifetime.lua).</summary>
    private const long T1 = T0 + 600_000;

    private const string Alice = "alice";
    private const string Bob = "bob";
    private const string Carol = "carol";
    private const string Dave = "dave";
    private const string Erin = "erin";
    private const string Frank = "frank";
    private const string Team = "team";
    private const string Phone = "phone";

    private static readonly TimeSpan Window = TimeSpan.FromHours(24);
    private static readonly LiveNode[] LiveNodes = [new("node-1", T0), new("node-2", T0)];

    /// <summary>
    /// Every store call that runs a script, by what it does. Alice's list is full (four conversations, the most
    /// allowed here), so a call that adds one to it evicts.
    /// </summary>
    private static readonly Dictionary<string, Func<Stores, Task>> Operations = new(StringComparer.Ordinal)
    {
        ["send a single-chat message with a clientMsgId"] = s => SendAsync(s, "n1", Alice, Bob, T1, clientMsgId: "cm-1"),
        ["send a group message"] = s => SendAsync(s, "n2", Carol, Team, T1, group: true),
        ["send a message that adds a conversation to a full list"] = s => SendAsync(s, "n3", Dave, Alice, T1),
        ["send a message into history only"] = s => s.Messages.SendMessageAsync(Draft("n4", Bob, Alice, false, null), T1, false, default).AsTask(),
        ["pin a listed conversation"] = s => s.Conversations.PinConversationAsync(Alice, Group(Team), true, Phone, T1, null, default).AsTask(),
        ["pin a new conversation in a full list"] = s => s.Conversations.PinConversationAsync(Alice, With(Frank), true, Phone, T1, "PinConversation:op2", default).AsTask(),
        ["unpin"] = s => s.Conversations.PinConversationAsync(Alice, With(Bob), false, Phone, T1, null, default).AsTask(),
        ["mark a single chat read"] = s => s.Conversations.MarkConversationReadAsync(Alice, With(Bob), T1, Phone, T1, "MarkConversationRead:op3", default).AsTask(),
        ["mark a group read"] = s => s.Conversations.MarkConversationReadAsync(Alice, Group(Team), T1, Phone, T1, null, default).AsTask(),
        ["mark all read"] = s => s.Conversations.MarkAllConversationsReadAsync(Alice, Phone, T1, "MarkAllConversationsRead:op4", default).AsTask(),
        ["set an ext"] = s => s.Conversations.UpdateConversationExtAsync(Alice, With(Carol), "new", Phone, T1, "UpdateConversationExt:op5", default).AsTask(),
        ["clear an ext"] = s => s.Conversations.UpdateConversationExtAsync(Alice, With(Bob), null, Phone, T1, null, default).AsTask(),
        ["delete a conversation and its history"] = s => s.Conversations.DeleteRemoteConversationAsync(Alice, With(Carol), true, Phone, T1, "DeleteRemoteConversation:op6", default).AsTask(),
        ["hide messages by id"] = s => s.Messages.DeleteRemoteMessagesWithIdsAsync(Alice, With(Bob), ["m2", "m3"], Phone, T1, "DeleteRemoteMessagesWithIds:op7", default).AsTask(),
        ["hide messages before a time"] = s => s.Messages.DeleteRemoteMessagesBeforeAsync(Alice, Group(Team), T0 + 5_000, Phone, T1, null, default).AsTask(),
        ["recall a single-chat message"] = s => s.Messages.RecallMessageAsync(Alice, With(Bob), "m3", Phone, T1, default).AsTask(),
        ["recall a group message"] = s => s.Messages.RecallMessageAsync(Carol, Group(Team), "g1", Phone, T1, default).AsTask(),
        ["create a group"] = s => s.Groups.CreateGroupAsync("crew", Bob, [Alice, Carol], T1, default).AsTask(),
        ["add group members"] = s => s.Groups.AddGroupMembersAsync(Team, [Dave, Erin], default).AsTask(),
        ["remove a group member"] = s => s.Groups.RemoveGroupMemberAsync(Team, Carol, T1, default).AsTask(),
        ["delete a group"] = s => s.Groups.DeleteGroupAsync(Team, T1, default).AsTask(),
        ["read a list page"] = s => s.Conversations.FetchConversationsAsync(Alice, "laptop", ConversationList.Active, null, 2, T1, default).AsTask(),
        ["read the pinned list"] = s => s.Conversations.FetchConversationsAsync(Alice, Phone, ConversationList.Pinned, null, 20, T1, default).AsTask(),
        ["read history"] = s => s.Messages.FetchHistoryMessagesAsync(Alice, With(Bob), new HistoryQuery(true, null, 20), T1, default).AsTask(),
        ["read the stream"] = s => s.Events.SyncEventsAsync(Alice, 0, null, 100, T1, default).AsTask(),
        ["read the sync state"] = s => s.Events.GetSyncStateAsync(Alice, T1, default).AsTask(),
        ["add a connection"] = s => s.Presence.TryAddConnectionAsync(Alice, new ConnectionRecord("node-2", "c2"), T1, LiveNodes, default).AsTask(),
        ["check for room"] = s => s.Presence.HasRoomAsync(Alice, T1, LiveNodes, default).AsTask(),
        ["heartbeat"] = s => s.Presence.HeartbeatAsync("node-1", T0, T0 + 11_000, T1, default).AsTask(),
        ["begin an operation"] = s => s.Operations.BeginOperationAsync(Alice, "PinConversation:op8", TimeSpan.FromSeconds(10), Window, default).AsTask(),
        ["abandon an operation"] = s => s.Operations.AbandonOperationAsync(Alice, "PinConversation:op1", default).AsTask(),
        ["read one conversation"] = s => s.Settings.GetConversationAsync(Alice, With(Erin), T1, default).AsTask(),
        ["read the unread badge"] = s => s.Conversations.GetUnreadSummaryAsync(Alice, T1, default).AsTask(),
        ["mute a listed conversation"] = s => s.Settings.SetConversationMutedAsync(Alice, With(Bob), true, T1 + 60_000, Phone, T1, "SetConversationMuted:op9", default).AsTask(),
        ["mute a new conversation in a full list"] = s => s.Settings.SetConversationMutedAsync(Alice, With(Frank), true, null, Phone, T1, null, default).AsTask(),
        ["unmute"] = s => s.Settings.SetConversationMutedAsync(Alice, With(Carol), false, null, Phone, T1, null, default).AsTask(),
        ["mark a conversation unread"] = s => s.Settings.MarkConversationUnreadAsync(Alice, With(Bob), Phone, T1, "MarkConversationUnread:op10", default).AsTask(),
        ["change marks"] = s => s.Settings.SetConversationMarksAsync(Alice, With(Bob), 1 << 7, 1 << 1, Phone, T1, "SetConversationMarks:op11", default).AsTask(),
        ["read the conversations of a mark"] = s => s.Settings.FetchMarkedConversationsAsync(Alice, Phone, 5, null, 1, T1, default).AsTask(),
    };

    /// <summary>
    /// Alice has four conversations (the most allowed here): Bob (pinned, an ext, unread messages, a peer read), the
    /// group, Carol and Erin, with read points, a kept outcome, a claim, a walk, a connection; Bob hid a message, Carol
    /// hid the group's older messages, and two nodes have a heartbeat. Bob and Erin carry marks, Carol is muted and
    /// Erin marked unread.
    /// </summary>
    private static async Task BuildStateAsync(Stores s)
    {
        await s.Groups.CreateGroupAsync(Team, Alice, [Bob, Carol], T0, default);
        await SendAsync(s, "m1", Bob, Alice, T0 + 1_000);
        await SendAsync(s, "m2", Bob, Alice, T0 + 2_000, clientMsgId: "cm-0");
        await SendAsync(s, "m3", Alice, Bob, T0 + 3_000);
        await SendAsync(s, "g1", Carol, Team, T0 + 4_000, group: true);
        await SendAsync(s, "g2", Bob, Team, T0 + 5_000, group: true);
        await SendAsync(s, "c1", Carol, Alice, T0 + 6_000);
        await SendAsync(s, "e1", Erin, Alice, T0 + 7_000);
        await s.Conversations.PinConversationAsync(Alice, With(Bob), true, Phone, T0 + 8_000, null, default);
        await s.Conversations.MarkConversationReadAsync(Alice, Group(Team), T0 + 4_000, Phone, T0 + 8_500, "MarkConversationRead:op0", default);
        await s.Conversations.MarkConversationReadAsync(Bob, With(Alice), T0 + 9_000, Phone, T0 + 9_000, null, default);
        await s.Conversations.UpdateConversationExtAsync(Alice, With(Bob), "ext", Phone, T0 + 9_500, null, default);
        await s.Messages.DeleteRemoteMessagesWithIdsAsync(Bob, With(Alice), ["m1"], Phone, T0 + 10_000, null, default);
        await s.Messages.DeleteRemoteMessagesBeforeAsync(Carol, Group(Team), T0 + 4_000, Phone, T0 + 10_500, null, default);
        await s.Operations.BeginOperationAsync(Alice, "PinConversation:op1", TimeSpan.FromMinutes(10), Window, default);
        await s.Presence.TryAddConnectionAsync(Alice, new ConnectionRecord("node-1", "c1"), T0 + 11_000, LiveNodes, default);
        await s.Presence.HeartbeatAsync("node-2", T0, 0, T0 + 11_000, default);
        await s.Presence.HeartbeatAsync("node-1", T0, 0, T0 + 11_000, default);
        await s.Settings.SetConversationMarksAsync(Alice, With(Bob), (1 << 1) | (1 << 5), 0, Phone, T0 + 11_500, null, default);
        await s.Settings.SetConversationMarksAsync(Alice, With(Erin), 1 << 5, 0, Phone, T0 + 11_600, null, default);
        await s.Settings.SetConversationMutedAsync(Alice, With(Carol), true, T1 + 60_000, Phone, T0 + 11_700, null, default);
        await s.Settings.MarkConversationUnreadAsync(Alice, With(Erin), Phone, T0 + 11_800, null, default);
        await s.Conversations.FetchConversationsAsync(Alice, Phone, ConversationList.Active, null, 2, T0 + 12_000, default);
    }

    private static ConversationRef With(string user) => new(ChatTypes.SingleChat, user);

    private static ConversationRef Group(string group) => ConversationRef.Group(group);

    private static MessageDraft Draft(string msgId, string from, string to, bool group, string? clientMsgId) =>
        new(msgId, group ? ChatTypes.GroupChat : ChatTypes.SingleChat, from, to, "text", "body of " + msgId, clientMsgId);

    private static Task SendAsync(Stores s, string msgId, string from, string to, long now, bool group = false, string? clientMsgId = null) =>
        s.Messages.SendMessageAsync(Draft(msgId, from, to, group, clientMsgId), now, true, default).AsTask();
}
