// Refusals end start() at once with the server's code; failures that may pass are tried again.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ErrorCodes, RoamingHubClient, RoamingHubError } from "../src/index.js";
import { clientFor, newUser, record, tokenFor } from "./helpers.js";
import { ServerNode, freePort } from "./servers.js";

describe("connecting", () => {
  let limited: ServerNode;

  beforeAll(async () => {
    limited = await ServerNode.start({ redisPort: inject("redisPort"), prefix: inject("prefix"), settings: { Roaming__MaxConnectionsPerUser: "1" } });
  });

  afterAll(async () => {
    await limited?.stop();
  });

  it("a bad token is refused with UNAUTHENTICATED at once, without a retry loop", async () => {
    let asked = 0;
    const client = await clientFor(inject("nodeA"), newUser("alice"), {
      accessTokenFactory: () => {
        asked++;
        return "not-a-token";
      },
    });
    const seen = record(client);

    const error = await client.start().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RoamingHubError);
    expect((error as RoamingHubError).code).toBe(ErrorCodes.Unauthenticated);
    expect((error as RoamingHubError).statusCode).toBe(401);
    expect(client.state).toBe("disconnected");
    expect(seen.states).toEqual(["connecting", "disconnected"]);
    // One attempt: the factory is asked for the WebSocket and once more to read the refusal.
    expect(asked).toBeLessThanOrEqual(2);
  });

  it("a user at the connection limit is refused with CONNECTION_LIMIT_EXCEEDED from the server's header", async () => {
    const alice = newUser("alice");
    const first = await clientFor(limited.url, alice, { deviceId: "one" });
    await first.start();
    const second = await clientFor(limited.url, alice, { deviceId: "two" });

    const error = await second.start().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RoamingHubError);
    expect((error as RoamingHubError).code).toBe(ErrorCodes.ConnectionLimitExceeded);
    expect((error as RoamingHubError).statusCode).toBe(409);
    expect(second.state).toBe("disconnected");
    expect(first.state).toBe("connected");
    await first.stop();
  });

  it("a server that does not answer yet is tried again until it does", async () => {
    const port = await freePort();
    const alice = newUser("alice");
    // Any node's token serves: they share the signing key.
    const token = await tokenFor(inject("nodeA"), alice);
    const client = new RoamingHubClient({ serverUrl: `http://127.0.0.1:${port}`, accessTokenFactory: () => token });
    const late = await ServerNode.create({ redisPort: inject("redisPort"), prefix: inject("prefix"), port });
    try {
      const started = client.start();
      // Awaited below; this only keeps a failed restart() from leaving its rejection unhandled.
      started.catch(() => undefined);
      await late.restart();
      await started;
      expect(client.state).toBe("connected");
      expect((await client.getSyncState()).lastSeq).toBe(0);
    } finally {
      await client.stop();
      await late.stop();
    }
  });

  it("with automaticReconnect off, start() makes one attempt and rejects with UNAVAILABLE when nobody answers", async () => {
    const port = await freePort();
    const client = new RoamingHubClient({ serverUrl: `http://127.0.0.1:${port}`, accessTokenFactory: () => "x", automaticReconnect: false });

    const error = await client.start().catch((e: unknown) => e);

    expect((error as RoamingHubError).code).toBe(ErrorCodes.Unavailable);
    expect(client.state).toBe("disconnected");
  });
});
