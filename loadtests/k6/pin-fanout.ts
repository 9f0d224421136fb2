// pin-fanout: USERS users × DEVICES devices online; device 0 of each user pins and unpins at a total RATE per
// second, and every other device of the user times the onMultiDeviceEvent from the moment the pin was due. Events are
// checked by seq: each must reach each other device exactly once.
// Target (one node, 2 cores): p99 ≤ 5 ms at 1,000 pins/s with 6,000 devices online (2,000 users × 3), 0 lost, 0 duplicated.
//   k6 run -e USERS=2000 -e DEVICES=3 -e RATE=1000 -e DURATION_SECONDS=60 loadtests/k6/pin-fanout.ts
import { Counter, Trend } from "k6/metrics";
import { setInterval, clearInterval } from "k6/timers";
import { connect, delay, errorCode, HubConnection, issueToken, requireLoopback, settings } from "./lib/signalr.ts";

const users = Number(__ENV.USERS ?? 2000);
const devices = Number(__ENV.DEVICES ?? 3);
const rate = Number(__ENV.RATE ?? 1000);
const durationSeconds = Number(__ENV.DURATION_SECONDS ?? 60);
const drainMs = 5_000;

const eventLatency = new Trend("pin_event_latency", true);
const ackLatency = new Trend("pin_ack_latency", true);
const lost = new Counter("pin_events_lost");
const duplicated = new Counter("pin_events_duplicated");
const errors = new Counter("pin_errors");
const connectFailures = new Counter("hub_connect_failures");

export const options = {
  scenarios: {
    // One VU per user, holding that user's devices for the whole test.
    pinFanout: {
      executor: "per-vu-iterations",
      vus: users,
      iterations: 1,
      maxDuration: `${durationSeconds + 120}s`,
    },
  },
  thresholds: {
    pin_event_latency: ["p(99)<=5"],
    pin_events_lost: ["count==0"],
    pin_events_duplicated: ["count==0"],
    pin_errors: ["count==0"],
    hub_connect_failures: ["count==0"],
  },
};

export function setup(): void {
  requireLoopback(settings.baseUrl);
}

export default async function (): Promise<void> {
  const userId = `${settings.runId}-u${__VU}`;
  const peer = `${settings.runId}-u${(__VU % users) + 1}`;
  const token = issueToken(settings.baseUrl, settings.adminKey, userId);
  const hubs: HubConnection[] = [];
  try {
    for (let d = 0; d < devices; d++) {
      hubs.push(await connect(settings.baseUrl, token, `d${d}`));
    }
  } catch (error) {
    connectFailures.add(1, { code: errorCode((error as Error).message) });
    hubs.forEach((hub) => hub.close());
    return;
  }

  // seq → when its pin was due; seq → arrivals on each receiving device.
  const dueAt = new Map<number, number>();
  const arrivals = hubs.map(() => new Map<number, number[]>());
  hubs.forEach((hub, d) => {
    if (d === 0) {
      return;
    }
    hub.on("onMultiDeviceEvent", (argument) => {
      const { seq } = argument as { seq: number };
      const list = arrivals[d].get(seq) ?? [];
      list.push(Date.now());
      arrivals[d].set(seq, list);
    });
  });

  // Open loop: each user pins every users/rate seconds whatever the server does, starting at a random phase so the
  // users together make an even stream; latency counts from the due time, so queueing shows.
  const periodMs = (users / rate) * 1000;
  await delay(Math.random() * periodMs);
  let pinned = false;
  const pinner = setInterval(() => {
    const due = Date.now();
    pinned = !pinned;
    hubs[0]
      .invoke<{ seq?: number }>("PinConversation", { conversationId: peer, chatType: "singleChat", isPinned: pinned })
      .then((result) => {
        ackLatency.add(Date.now() - due);
        if (result.seq) {
          dueAt.set(result.seq, due);
        }
      })
      .catch((error: Error) => errors.add(1, { code: errorCode(error.message) }));
  }, periodMs);

  await delay(durationSeconds * 1000);
  clearInterval(pinner);
  await delay(drainMs);

  for (const [seq, due] of dueAt) {
    for (let d = 1; d < devices; d++) {
      const seen = arrivals[d].get(seq);
      if (!seen) {
        lost.add(1);
        continue;
      }
      duplicated.add(seen.length - 1);
      eventLatency.add(Math.min(...seen) - due);
    }
  }
  hubs.forEach((hub) => hub.close());
}
