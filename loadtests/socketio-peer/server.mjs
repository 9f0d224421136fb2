// A throwaway Socket.IO server doing RoamingHub's pin fan-out the way a Node team would build it, so the load tests
// can set RoamingHub beside what users would otherwise run. Not a product: one event, no limits, loopback only.
//
// Per connection: an HS256 JWT (the same issuer, audience and lifetime checks as RoamingHub's) verified in the
// handshake, and the device joins room user:<id>. Per call:
//   sync (ack)                  -> { seq }: the user's newest seq (one GET), as RoamingHub's client asks on connect
//   pin {conversationId, isPinned} (ack) -> { seq }: pin.lua writes the pin, the user's seq and a log entry in one
//                                  step; the event goes to the user's other devices through @socket.io/redis-adapter
// HTTP: GET /readyz (200 once Redis answers), GET /gc (every GC pause since start, for the load generator).
//
// Environment: PORT (5090), HOST (127.0.0.1), REDIS_URL (redis://127.0.0.1:6379), JWT_SECRET (required, at least 32
// bytes), KEY_PREFIX (peer), MAX_EVENTS (1000 log entries kept per user).
import { createServer } from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';

const port = Number(process.env.PORT ?? 5090);
const host = process.env.HOST ?? '127.0.0.1';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const secret = Buffer.from(process.env.JWT_SECRET ?? '', 'utf8');
const prefix = process.env.KEY_PREFIX ?? 'peer';
const maxEvents = Number(process.env.MAX_EVENTS ?? 1000);
// Claims shaped like RoamingHub's tokens; the load generator signs them with JWT_SECRET before it starts connecting.
const issuer = 'roaminghub';
const audience = 'roaminghub';
const clockSkewSeconds = 30;

if (secret.length < 32) throw new Error('JWT_SECRET must be set and at least 32 bytes long.');
if (!(host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.')))) {
  throw new Error(`HOST ${host} is not a loopback address: the peer is for load tests on this machine only.`);
}

/** The user id of a valid token; throws with the reason otherwise. */
function verify(token) {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3) throw new Error('not a JWT');
  const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
  if (header.alg !== 'HS256') throw new Error('not HS256');
  const expected = createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest();
  const signature = Buffer.from(parts[2], 'base64url');
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) throw new Error('bad signature');
  const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  const now = Date.now() / 1000;
  if (typeof claims.exp !== 'number' || claims.exp + clockSkewSeconds <= now) throw new Error('expired');
  if (typeof claims.nbf === 'number' && claims.nbf - clockSkewSeconds > now) throw new Error('not yet valid');
  if (claims.iss !== issuer || (Array.isArray(claims.aud) ? !claims.aud.includes(audience) : claims.aud !== audience)) {
    throw new Error('wrong issuer or audience');
  }
  if (typeof claims.sub !== 'string' || claims.sub === '') throw new Error('no subject');
  return claims.sub;
}

// Every GC pause of this process, as [start (Unix ms), duration (ms), kind]: the load generator reads them at the
// end of a run and sorts them into its phases. Kinds are V8's: 1 minor, 4 major, 8 incremental, 16 weak callbacks.
const pauses = [];
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) {
    if (pauses.length < 2_000_000) pauses.push([performance.timeOrigin + entry.startTime, entry.duration, entry.detail?.kind ?? 0]);
  }
}).observe({ entryTypes: ['gc'] });

// One connection for commands and publishes, one for the adapter's subscriptions, as the adapter's docs set it up.
const redis = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1 });
const subscriber = redis.duplicate();
redis.defineCommand('pin', { numberOfKeys: 3, lua: readFileSync(new URL('./pin.lua', import.meta.url), 'utf8') });

const keysOf = user => {
  const tag = `{${prefix}:u:${user}}`;
  return { pins: `${tag}:pins`, seq: `${tag}:seq`, events: `${tag}:events` };
};

const http = createServer((request, response) => {
  const path = request.url?.split('?')[0];
  if (path === '/readyz') {
    const ready = redis.status === 'ready' && subscriber.status === 'ready';
    response.writeHead(ready ? 200 : 503).end(ready ? 'ready' : 'redis not ready');
  } else if (path === '/gc') {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ pid: process.pid, pauses }));
  } else {
    response.writeHead(404).end();
  }
});

const io = new Server(http, {
  transports: ['websocket'],
  serveClient: false,
  adapter: createAdapter(redis, subscriber, { key: `${prefix}:socket.io` }),
});

io.use((socket, next) => {
  try {
    socket.data.user = verify(socket.handshake.auth?.token);
    next();
  } catch (error) {
    next(new Error(`UNAUTHENTICATED: ${error.message}`));
  }
});

io.on('connection', socket => {
  const user = socket.data.user;
  const room = `user:${user}`;
  const keys = keysOf(user);
  socket.join(room);

  socket.on('sync', async ack => {
    if (typeof ack !== 'function') return;
    try {
      ack({ seq: Number((await redis.get(keys.seq)) ?? 0) });
    } catch (error) {
      ack({ error: `UNAVAILABLE: ${error.message}` });
    }
  });

  socket.on('pin', async (request, ack) => {
    if (typeof ack !== 'function') return;
    const conversationId = request?.conversationId;
    if (typeof conversationId !== 'string' || conversationId === '' || typeof request.isPinned !== 'boolean') {
      ack({ error: 'INVALID_ARGUMENT: conversationId and isPinned are required' });
      return;
    }
    const time = Date.now();
    const event = { type: 'PIN_CONVERSATION', conversationId, isPinned: request.isPinned, time };
    try {
      const seq = await redis.pin(keys.pins, keys.seq, keys.events, conversationId, request.isPinned ? '1' : '0', time, maxEvents, JSON.stringify(event));
      if (seq > 0) socket.to(room).emit('event', { seq, ...event });
      ack({ seq });
    } catch (error) {
      ack({ error: `UNAVAILABLE: ${error.message}` });
    }
  });
});

http.listen(port, host, () => console.log(`socket.io peer ${process.pid} on http://${host}:${port}, redis ${redisUrl}`));

const stop = () => {
  io.close();
  redis.disconnect();
  subscriber.disconnect();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
