// Devices on the official JavaScript SignalR client, exactly as an app builds them: withUrl(url, { accessTokenFactory })
// and the library's default automatic reconnect. The .NET tests start this script and read what happens to each device.
//
// stdin:  JSON lines {"devices": [{"url": "<hub url>", "name": "phone", "token": "<jwt>"}, …]}; the devices of a line
//         connect at once. Closing stdin stops every device and ends the process.
// stdout: one JSON object per line, {"at": <Unix ms>, "event": …, "device": …}:
//         ready (before stdin is read), connected, startFailed {error}, syncState {lastSeq, epoch},
//         syncStateFailed {error}, reconnecting {error}, reconnected, closed {error}, stopped (after stdin closed).
// The library's own log (warnings and errors) goes to stderr.
import * as signalR from "@microsoft/signalr";
import { createInterface } from "node:readline";

const print = (event, fields = {}) => process.stdout.write(JSON.stringify({ at: Date.now(), event, ...fields }) + "\n");
const text = (error) => (error === undefined || error === null ? null : String(error.message ?? error));

async function reportSyncState(connection, device) {
  try {
    const state = await connection.invoke("GetSyncState");
    print("syncState", { device, lastSeq: state.lastSeq, epoch: state.epoch });
  } catch (error) {
    print("syncStateFailed", { device, error: text(error) });
  }
}

function open({ url, name, token }) {
  const separator = url.includes("?") ? "&" : "?";
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(`${url}${separator}deviceId=${encodeURIComponent(name)}`, { accessTokenFactory: () => token })
    .withAutomaticReconnect()
    .configureLogging(signalR.LogLevel.Warning)
    .build();
  connection.onreconnecting((error) => print("reconnecting", { device: name, error: text(error) }));
  connection.onreconnected(() => {
    print("reconnected", { device: name });
    return reportSyncState(connection, name);
  });
  connection.onclose((error) => print("closed", { device: name, error: text(error) }));
  connection
    .start()
    .then(() => {
      print("connected", { device: name });
      return reportSyncState(connection, name);
    })
    .catch((error) => print("startFailed", { device: name, error: text(error) }));
  return connection;
}

const lines = createInterface({ input: process.stdin });
const connections = [];
print("ready");
for await (const line of lines) {
  if (line.trim() === "") {
    continue;
  }

  connections.push(...JSON.parse(line).devices.map(open));
}

await Promise.allSettled(connections.map((connection) => connection.stop()));
print("stopped");
