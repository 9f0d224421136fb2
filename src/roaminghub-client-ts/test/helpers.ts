// What the tests share: tokens from the admin API, unique users, clients that are stopped after each test.
import { afterEach } from "vitest";
import { RoamingHubClient, type RoamingHubClientOptions } from "../src/index.js";
import { sampleAdminApiKey, waitFor } from "./servers.js";

export { waitFor };

let counter = 0;

/** A user id no other test (or earlier run on the same Redis) uses. */
export function newUser(name: string): string {
  counter++;
  return `${name}-${process.pid}-${Date.now().toString(36)}-${counter}`.slice(0, 64);
}

export async function tokenFor(serverUrl: string, userId: string): Promise<string> {
  const response = await fetch(`${serverUrl}/api/tokens`, {
    method: "POST",
    headers: { "X-Api-Key": sampleAdminApiKey, "Content-Type": "application/json" },
    body: JSON.stringify({ userId }),
  });
  if (response.status !== 200) {
    throw new Error(`POST /api/tokens answered ${response.status}: ${await response.text()}`);
  }

  return ((await response.json()) as { accessToken: string }).accessToken;
}

const clients: RoamingHubClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.stop()));
});

/** A client for `userId` on `serverUrl`, stopped after the test. */
export async function clientFor(
  serverUrl: string,
  userId: string,
  options: Partial<RoamingHubClientOptions> = {},
): Promise<RoamingHubClient> {
  const token = await tokenFor(serverUrl, userId);
  const client = new RoamingHubClient({ serverUrl, accessTokenFactory: () => token, deviceId: "web", ...options });
  clients.push(client);
  return client;
}

/** Records what a client raises, in order. */
export function record(client: RoamingHubClient): { entries: { kind: string; seq: number | null; value: unknown }[]; resyncs: unknown[]; states: string[] } {
  const recorded = { entries: [] as { kind: string; seq: number | null; value: unknown }[], resyncs: [] as unknown[], states: [] as string[] };
  client.on("message", (m) => void recorded.entries.push({ kind: "message", seq: m.seq, value: m }));
  client.on("event", (e) => void recorded.entries.push({ kind: "event", seq: e.seq, value: e }));
  client.on("readAck", (a) => void recorded.entries.push({ kind: "readAck", seq: a.seq, value: a }));
  client.on("resyncRequired", (r) => void recorded.resyncs.push(r));
  client.on("stateChanged", (s) => void recorded.states.push(s));
  return recorded;
}
