// Reconnecting after a node dies: the client comes back by itself and the server replays exactly what it missed;
// stop() ends the reconnecting for good.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ChatTypes, type PinResult } from "../src/index.js";
import { clientFor, newUser, record, tokenFor, waitFor } from "./helpers.js";
import { ServerNode } from "./servers.js";

describe("after a node dies", () => {
  let node: ServerNode;

  beforeAll(async () => {
    node = await ServerNode.start({ redisPort: inject("redisPort"), prefix: inject("prefix") });
  });

  afterAll(async () => {
    await node?.stop();
  });

  it("the client reconnects with its position and the server replays exactly the entries it missed, in order", async () => {
    const alice = newUser("alice");
    const peers = Array.from({ length: 5 }, (_, i) => newUser(`peer${i}`));
    const other = await clientFor(inject("nodeA"), alice, { deviceId: "other" });
    const web = await clientFor(node.url, alice, { deviceId: "web" });
    const seen = record(web);
    await other.start();
    await web.start();
    const before = await other.pinConversation({ conversationId: peers[0]!, chatType: ChatTypes.SingleChat, isPinned: true });
    await waitFor(() => web.position.seq === before.seq, 30_000, "the first pin");

    await node.kill();
    await waitFor(() => web.state === "reconnecting", 60_000, "the client to notice the dead node");
    const missed: PinResult[] = [];
    for (const peer of peers.slice(1)) {
      missed.push(await other.pinConversation({ conversationId: peer, chatType: ChatTypes.SingleChat, isPinned: true }));
    }
    await node.restart();
    await waitFor(() => web.state === "connected" && web.position.seq === missed[3]!.seq, 120_000, "the reconnect and the replay");

    expect(seen.entries.map((e) => [e.seq, (e.value as { conversationId: string }).conversationId])).toEqual(
      [before, ...missed].map((r, i) => [r.seq, peers[i]]),
    );
    expect(seen.states).toEqual(["connecting", "connected", "reconnecting", "connected"]);
  });

  it("stop() ends the reconnecting: no attempt is made after it, even once the node is back", async () => {
    const alice = newUser("alice");
    const token = await tokenFor(node.url, alice);
    let attempts = 0;
    const web = await clientFor(node.url, alice, {
      accessTokenFactory: () => {
        attempts++;
        return token;
      },
    });
    await web.start();

    await node.kill();
    await waitFor(() => web.state === "reconnecting", 60_000, "the client to notice the dead node");
    // At least one attempt failed against the dead node: the client is in its backoff.
    await waitFor(() => attempts >= 2, 60_000, "a reconnect attempt");
    await web.stop();
    expect(web.state).toBe("disconnected");
    const afterStop = attempts;

    await node.restart();
    // The longest first backoff waits are a few seconds; a client still reconnecting would have asked for a token by then.
    await new Promise((r) => setTimeout(r, 5_000));
    expect(attempts).toBe(afterStop);
    expect(web.state).toBe("disconnected");
  });
});
