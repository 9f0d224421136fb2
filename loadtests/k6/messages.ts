// messages: pairs of users, each with DEVICES devices, send to each other at a total RATE per second. The send is
// timed to its acknowledgement, and the message to every device of the recipient and to the sender's other devices.
// Each VU holds one pair, so it can check every delivery itself: k6 VUs share no memory.
// Target (one node, 2 cores): ≥ 5,000 messages/s stored and delivered, send-ack p99 ≤ 20 ms, 0 lost.
//   k6 run -e PAIRS=500 -e DEVICES=2 -e RATE=5000 -e DURATION_SECONDS=60 loadtests/k6/messages.ts
import { Counter, Trend } from "k6/metrics";
import { setInterval, clearInterval } from "k6/timers";
import { connect, delay, errorCode, HubConnection, issueToken, requireLoopback, settings } from "./lib/signalr.ts";

const pairs = Number(__ENV.PAIRS ?? 500);
const devices = Number(__ENV.DEVICES ?? 2);
const rate = Number(__ENV.RATE ?? 5000);
const durationSeconds = Number(__ENV.DURATION_SECONDS ?? 60);
const bodyBytes = Number(__ENV.BODY_BYTES ?? 100);
const drainMs = 5_000;

const ackLatency = new Trend("message_ack_latency", true);
const deliveryLatency = new Trend("message_delivery_latency", true);
const acked = new Counter("messages_acked");
const lost = new Counter("messages_lost");
const duplicated = new Counter("messages_duplicated");
const errors = new Counter("message_errors");
const connectFailures = new Counter("hub_connect_failures");

export const options = {
  scenarios: {
    messages: {
      executor: "per-vu-iterations",
      vus: pairs,
      iterations: 1,
      maxDuration: `${durationSeconds + 120}s`,
    },
  },
  thresholds: {
    message_ack_latency: ["p(99)<=20"],
    messages_acked: [`rate>=${Math.min(rate, 5000) * (durationSeconds / (durationSeconds + 30))}`],
    messages_lost: ["count==0"],
    messages_duplicated: ["count==0"],
    message_errors: ["count==0"],
    hub_connect_failures: ["count==0"],
  },
};

export function setup(): void {
  requireLoopback(settings.baseUrl);
}

interface Sent {
  due: number;
  receivers: number[];
}

export default async function (): Promise<void> {
  const ids = [`${settings.runId}-a${__VU}`, `${settings.runId}-b${__VU}`];
  const hubs: HubConnection[][] = [];
  try {
    for (const id of ids) {
      const token = issueToken(settings.baseUrl, settings.adminKey, id);
      const own: HubConnection[] = [];
      for (let d = 0; d < devices; d++) {
        own.push(await connect(settings.baseUrl, token, `d${d}`));
      }
      hubs.push(own);
    }
  } catch (error) {
    connectFailures.add(1, { code: errorCode((error as Error).message) });
    hubs.flat().forEach((hub) => hub.close());
    return;
  }

  // Devices are numbered side * devices + d; each message says which send it was in its body.
  const sent = new Map<number, Sent>();
  const arrivals = new Map<string, number>();
  hubs.forEach((side, s) =>
    side.forEach((hub, d) =>
      hub.on("onMessage", (argument) => {
        const body = (argument as { body: string }).body;
        const key = `${body.slice(0, body.indexOf("|"))}@${s * devices + d}`;
        arrivals.set(key, (arrivals.get(key) ?? 0) + 1);
        const send = sent.get(Number(body.slice(0, body.indexOf("|"))));
        if (send && arrivals.get(key) === 1) {
          deliveryLatency.add(Date.now() - send.due);
        }
      }),
    ),
  );

  const periodMs = (pairs / rate) * 1000;
  await delay(Math.random() * periodMs);
  let next = 0;
  const sender = setInterval(() => {
    const due = Date.now();
    const n = next++;
    const from = Math.floor(Math.random() * 2);
    const device = Math.floor(Math.random() * devices);
    const receivers = [
      ...Array.from({ length: devices }, (_, d) => (1 - from) * devices + d),
      ...Array.from({ length: devices }, (_, d) => from * devices + d).filter((r) => r !== from * devices + device),
    ];
    sent.set(n, { due, receivers });
    const body = `${n}|`.padEnd(bodyBytes, "x");
    hubs[from][device]
      .invoke("SendMessage", { to: ids[1 - from], chatType: "singleChat", body, clientMsgId: `${ids[0]}-${n}` })
      .then(() => {
        ackLatency.add(Date.now() - due);
        acked.add(1);
      })
      .catch((error: Error) => {
        sent.delete(n);
        errors.add(1, { code: errorCode(error.message) });
      });
  }, periodMs);

  await delay(durationSeconds * 1000);
  clearInterval(sender);
  await delay(drainMs);

  for (const [n, send] of sent) {
    for (const receiver of send.receivers) {
      const count = arrivals.get(`${n}@${receiver}`) ?? 0;
      if (count === 0) {
        lost.add(1);
      } else {
        duplicated.add(count - 1);
      }
    }
  }
  hubs.flat().forEach((hub) => hub.close());
}
