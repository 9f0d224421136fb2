// stop() and start() at awkward moments: from inside a handler, while start() waits to try again, and with own
// changes still waiting behind a gap; and the position the app is told at start.
import type { HubConnection } from "@microsoft/signalr";
import { describe, expect, inject, it } from "vitest";
import { ChatTypes, ErrorCodes, HubEvents, RoamingHubClient, RoamingHubError, type StreamPosition } from "../src/index.js";
import { clientFor, newUser, record, waitFor } from "./helpers.js";
import { freePort } from "./servers.js";

describe("stopping and starting", () => {
  it("a handler that calls stop() does not deadlock: stop resolves and the client is disconnected", async () => {
    const alice = newUser("alice");
    const other = await clientFor(inject("nodeA"), alice, { deviceId: "other" });
    const web = await clientFor(inject("nodeB"), alice, { deviceId: "web" });
    let stopResolved = false;
    web.on("event", async () => {
      await web.stop();
      stopResolved = true;
    });
    await other.start();
    await web.start();

    await other.pinConversation({ conversationId: newUser("bob"), chatType: ChatTypes.SingleChat, isPinned: true });

    await waitFor(() => stopResolved, 60_000, "stop() called from the handler to resolve");
    expect(web.state).toBe("disconnected");
  });

  it("stop() while start() waits to try again ends start() without another attempt", async () => {
    const port = await freePort();
    let attempts = 0;
    const client = new RoamingHubClient({
      serverUrl: `http://127.0.0.1:${port}`,
      accessTokenFactory: () => {
        attempts++;
        return "x";
      },
    });
    const started = client.start().catch((e: unknown) => e);
    // Two token requests: the WebSocket's, and the one that reads why it failed. Nobody listens on the port, so the
    // attempt fails at once and start() then waits out its backoff (a random wait of up to a second).
    await waitFor(() => attempts >= 2, 60_000, "a first attempt");
    await new Promise((r) => setTimeout(r, 50));

    const attemptsAtStop = attempts;
    await client.stop();
    const error = await started;

    expect(error).toBeInstanceOf(RoamingHubError);
    expect((error as RoamingHubError).code).toBe(ErrorCodes.Unavailable);
    expect(attempts).toBe(attemptsAtStop);
    expect(client.state).toBe("disconnected");
  });

  it("own changes waiting behind a gap at stop() are not raised as another device's after start()", async () => {
    const alice = newUser("alice");
    const [bob, carol] = [newUser("bob"), newUser("carol")];
    const other = await clientFor(inject("nodeA"), alice, { deviceId: "other" });
    // A long grace, no probe: the gap stays open until stop().
    const web = await clientFor(inject("nodeB"), alice, { deviceId: "web", gapGraceMs: 60_000, syncProbeIntervalMs: 0 });
    const seen = record(web);
    await other.start();
    await web.start();
    // Lose the other device's live pushes on this connection, so its change leaves a gap before web's own.
    (web as unknown as { connection: HubConnection }).connection.off(HubEvents.OnMultiDeviceEvent);

    const theirs = await other.pinConversation({ conversationId: bob, chatType: ChatTypes.SingleChat, isPinned: true });
    const mine = await web.pinConversation({ conversationId: carol, chatType: ChatTypes.SingleChat, isPinned: true });
    expect(mine.seq).toBe(theirs.seq! + 1);
    await web.stop();
    expect(web.position.seq).toBe(theirs.seq! - 1);

    await web.start();
    await waitFor(() => web.position.seq === mine.seq, 60_000, "the catch-up to pass web's own change");

    expect(seen.entries.map((e) => [e.seq, (e.value as { conversationId: string }).conversationId])).toEqual([[theirs.seq, bob]]);
  });

  it("onPositionChanged is told the starting position once start() learnt it", async () => {
    const alice = newUser("alice");
    const other = await clientFor(inject("nodeA"), alice, { deviceId: "other" });
    await other.start();
    const pin = await other.pinConversation({ conversationId: newUser("bob"), chatType: ChatTypes.SingleChat, isPinned: true });
    const told: StreamPosition[] = [];
    const web = await clientFor(inject("nodeB"), alice, { deviceId: "web", onPositionChanged: (p) => void told.push(p) });

    await web.start();

    await waitFor(() => told.length > 0, 30_000, "the starting position");
    expect(told).toEqual([{ seq: pin.seq, epoch: pin.epoch }]);
    expect(web.position).toEqual({ seq: pin.seq, epoch: pin.epoch });
  });
});
