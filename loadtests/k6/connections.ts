// connections: N authenticated hub connections opened with a ramp and held, none may fail.
// Target (one node, 2 cores): 10,000 connections held for 5 minutes with 0 failures.
//   k6 run -e CONNECTIONS=10000 -e HOLD_SECONDS=300 loadtests/k6/connections.ts
import { check } from "k6";
import { Counter, Trend } from "k6/metrics";
import { connect, delay, errorCode, issueToken, requireLoopback, settings } from "./lib/signalr.ts";

const connections = Number(__ENV.CONNECTIONS ?? 10_000);
const rampSeconds = Number(__ENV.RAMP_SECONDS ?? 20);
const holdSeconds = Number(__ENV.HOLD_SECONDS ?? 300);

const connectTime = new Trend("hub_connect_time", true);
const connectFailures = new Counter("hub_connect_failures");
const dropped = new Counter("hub_connections_dropped");
const answered = new Counter("hub_calls_after_hold_ok");

export const options = {
  scenarios: {
    connections: {
      executor: "ramping-vus",
      startVUs: 0,
      stages: [
        { duration: `${rampSeconds}s`, target: connections },
        { duration: `${holdSeconds + 15}s`, target: connections },
      ],
      gracefulRampDown: "0s",
      gracefulStop: "30s",
    },
  },
  thresholds: {
    hub_connect_failures: ["count==0"],
    hub_connections_dropped: ["count==0"],
    checks: ["rate==1"],
  },
};

export function setup(): void {
  requireLoopback(settings.baseUrl);
}

// One iteration per VU: connect, hold, prove the connection still answers, close.
export default async function (): Promise<void> {
  if (__ITER > 0) {
    await delay(holdSeconds * 1000);
    return;
  }

  const userId = `${settings.runId}-c${__VU}`;
  const started = Date.now();
  let hub;
  try {
    hub = await connect(settings.baseUrl, issueToken(settings.baseUrl, settings.adminKey, userId), "d0");
  } catch (error) {
    connectFailures.add(1, { code: errorCode(String((error as Error).message)) });
    return;
  }
  connectTime.add(Date.now() - started);

  let closed = false;
  hub.onClosed = (reason) => {
    closed = true;
    dropped.add(1, { reason: reason ?? "" });
  };
  await delay(holdSeconds * 1000);
  if (!closed) {
    const state = await hub.invoke<{ lastSeq: number }>("GetSyncState").catch(() => undefined);
    if (check(state, { "connection answers after the hold": (s) => s !== undefined })) {
      answered.add(1);
    }
    hub.close();
  }
}
