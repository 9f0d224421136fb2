using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RoamingHub.Contracts;
using RoamingHub.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RoamingHub.Tests.Playground;

/// <summary>
/// The playground in a real browser: Debian's Chromium, driven by tests/browser/two-devices.mjs, opens the page of
/// two nodes on one Redis as two devices of one user (and a third page as their peer) and works it as a person would.
/// With <c>PLAYGROUND_SCREENSHOT=1</c> the run also writes docs/images/playground.png, the README's picture.
/// </summary>
public sealed class PlaygroundBrowserTests(TwoNodes nodes, ITestOutputHelper output) : IClassFixture<TwoNodes>
{
    /// <summary>Bounds a hung browser, not a slow one: the script waits up to 30 s for each thing it expects.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Pins_unpins_messages_and_reads_from_one_tab_reach_the_users_tab_on_the_other_node()
    {
        var user = TestIds.User("alice");
        var peer = TestIds.User("bob");
        var environment = new Dictionary<string, string> { ["PLAYGROUND_USER"] = user, ["PLAYGROUND_PEER"] = peer };
        var screenshot = Path.Combine(BrowserScript.RepositoryRoot(), "docs", "images", "playground.png");
        if (Environment.GetEnvironmentVariable("PLAYGROUND_SCREENSHOT") == "1")
        {
            environment["SCREENSHOT_PATH"] = screenshot;
        }

        var run = await BrowserScript.RunAsync(
            "two-devices.mjs", [nodes.A.BaseAddress.ToString(), nodes.B.BaseAddress.ToString()], environment, Patience);
        output.WriteLine(run.Describe());
        Assert.True(run.ExitCode == 0, $"The browser script failed:\n{run.Describe()}");

        // The phone (node B, JSON) shows what the laptop (node A, MessagePack) did: the pin, the message, then a
        // message in a newer conversation not pinned, as entries 1 to 3 of the user's stream pushed to it; the pinned
        // conversation is at the top of its list all the same.
        var phone = run.Step("phone-shows-pin-and-message");
        Assert.Equal("true", phone.GetProperty("pinned").GetString());
        Assert.Equal($"You: hello from {user}'s laptop", phone.GetProperty("lastMessage").GetString());
        Assert.Equal(peer, phone.GetProperty("firstInList").GetString());
        Assert.Equal("false", phone.GetProperty("otherPinned").GetString());
        Assert.Equal(["3 MESSAGE push", "2 MESSAGE push", "1 CONVERSATION_PINNED push"], Entries(phone.GetProperty("log")));
        // The laptop made those entries itself: they came back in its calls' results, never pushed to it.
        Assert.Equal(
            ["3 MESSAGE own", "2 MESSAGE own", "1 CONVERSATION_PINNED own"],
            Entries(run.Step("laptop-pinned-and-sent").GetProperty("log")));

        // The phone's unpin (4) was pushed to the laptop, the laptop's pin again (5) to the phone; both end pinned.
        var toggled = run.Step("unpinned-on-phone-pinned-on-laptop");
        Assert.Equal("true", toggled.GetProperty("laptopPinned").GetString());
        Assert.Equal("true", toggled.GetProperty("phonePinned").GetString());
        Assert.Equal(peer, toggled.GetProperty("phoneFirstInList").GetString());
        Assert.Equal(
            ["5 CONVERSATION_PINNED own", "4 CONVERSATION_UNPINNED push", "3 MESSAGE own", "2 MESSAGE own", "1 CONVERSATION_PINNED own"],
            Entries(toggled.GetProperty("laptopLog")));
        Assert.Equal(
            ["5 CONVERSATION_PINNED push", "4 CONVERSATION_UNPINNED own", "3 MESSAGE push", "2 MESSAGE push", "1 CONVERSATION_PINNED push"],
            Entries(toggled.GetProperty("phoneLog")));

        var counted = run.Step("both-devices-count-the-reply");
        Assert.Equal("1", counted.GetProperty("laptopUnread").GetString());
        Assert.Equal("1", counted.GetProperty("phoneUnread").GetString());
        Assert.Equal("1", counted.GetProperty("laptopTotal").GetString());
        Assert.Equal("1", counted.GetProperty("phoneTotal").GetString());

        // The read made on the phone reached the laptop as entry 7, after the peer's message (6), and cleared its count.
        var cleared = run.Step("read-on-phone-cleared-laptop");
        Assert.Equal("0", cleared.GetProperty("laptopUnread").GetString());
        Assert.Equal("0", cleared.GetProperty("laptopTotal").GetString());
        Assert.Equal("0", cleared.GetProperty("phoneTotal").GetString());
        Assert.Equal(
            ["7 CONVERSATION_READ push", "6 MESSAGE push", "5 CONVERSATION_PINNED own", "4 CONVERSATION_UNPINNED push", "3 MESSAGE own", "2 MESSAGE own", "1 CONVERSATION_PINNED own"],
            Entries(cleared.GetProperty("laptopLog")));
        Assert.Equal("7", cleared.GetProperty("laptopPosition").GetString());

        var signedOut = run.Step("phone-signed-out");
        Assert.True(signedOut.GetProperty("appHidden").GetBoolean());
        Assert.Equal(0, signedOut.GetProperty("conversations").GetInt32());
        Assert.Equal(0, signedOut.GetProperty("logEntries").GetInt32());
        Assert.Equal(JsonValueKind.Null, signedOut.GetProperty("total").ValueKind);
        Assert.Equal("", signedOut.GetProperty("position").GetString());
        Assert.Equal("disconnected", signedOut.GetProperty("state").GetString());

        Assert.Empty(run.Step("done").GetProperty("pageErrors").EnumerateArray());

        // What the pages showed is what the server holds.
        using var response = await AdminCalls.SendAsync(nodes.A.BaseAddress, HttpMethod.Get, AdminApi.Conversations(user));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var list = (await response.Content.ReadFromJsonAsync<Page<Conversation>>())!;
        var conversation = Assert.Single(list.Data, c => c.ConversationId == peer);
        Assert.True(conversation.IsPinned);
        Assert.False(Assert.Single(list.Data, c => c.ConversationId.StartsWith("dave-", StringComparison.Ordinal)).IsPinned);
        if (!environment.ContainsKey("SCREENSHOT_PATH"))
        {
            // (The picture's run goes on to leave a message from the peer unread.)
            Assert.Equal(0, conversation.UnreadCount);
            Assert.Equal($"hi from {peer}", conversation.LastMessage?.Body);
        }
    }

    /// <summary>The page's stream log, newest first, as "seq operation source".</summary>
    private static string[] Entries(JsonElement log) =>
        [.. log.EnumerateArray().Select(e => $"{e.GetProperty("seq")} {e.GetProperty("operation").GetString()} {e.GetProperty("source").GetString()}")];
}
