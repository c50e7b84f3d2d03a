/**
 * A load-tool worker process: holds its share of the clients, publishes for its publishers at the asked rate, and
 * accounts for what its clients received. Processes, not threads, because the open-files limit is per process.
 */
import { randomUUID } from 'node:crypto';
import { DeliveryTracker, encodePayload } from './accounting.js';
import type { BenchClient, Driver } from './driver.js';
import { LatencyRecorder } from './latency.js';
import { parleyDriver } from './parley-driver.js';
import type { ClientPlan, FromWorker, ToWorker } from './protocol.js';

/**
 * Client message ids are unique per run: a durable server keeps a (user, room, cid) for good, so a second run with
 * the same ids would only get duplicates back.
 */
const RUN = randomUUID().slice(0, 8);

const drivers: Record<string, () => Promise<Driver>> = {
  parley: async () => parleyDriver,
  // Peers load only when asked for: their client libraries are development dependencies.
  'ws-peer': async () => (await import('../peers/ws-peer-driver.js')).wsPeerDriver,
  socketio: async () => (await import('../peers/socketio-driver.js')).socketIoDriver,
};

interface SimClient {
  plan: ClientPlan;
  client?: BenchClient;
  tracker: DeliveryTracker;
  /** Left and came back during a churn phase: its missing messages do not count. */
  churned: boolean;
}

const latency = new LatencyRecorder();
/** From a send to its acknowledgement (the server's `sent`: with a database store, once committed). */
const ackLatency = new LatencyRecorder();
let clients: SimClient[] = [];
let driver: Driver;
let roomPublishers: Record<string, number[]> = {};
let received = 0;
let sent = 0;
let acked = 0;
let reconnects = 0;
/** CPU time of this process when the round was reset: what a round cost the load side is measured from here. */
let cpuAtReset = process.cpuUsage();

/** User + system CPU of this process since the round's reset, in microseconds. */
function cpuSinceReset(): number {
  const used = process.cpuUsage(cpuAtReset);
  return used.user + used.system;
}

/** Publish rounds (find-max steps): part of every client message id, so ids never repeat across rounds. */
let round = 0;

function send(message: FromWorker): void {
  process.send?.(message);
}

function listen(sim: SimClient, client: BenchClient): void {
  client.onDelivery((sentAtUs, publisher, seq) => {
    received += 1;
    latency.recordMs(performance.timeOrigin + performance.now() - sentAtUs / 1000);
    sim.tracker.record(publisher, seq);
  });
}

async function connectOne(sim: SimClient): Promise<void> {
  const client = await driver.connect(sim.plan.url, sim.plan.user, sim.plan.localAddress);
  listen(sim, client);
  await client.join(sim.plan.room);
  sim.client = client;
}

async function connectAll(plan: Extract<ToWorker, { type: 'plan' }>): Promise<void> {
  driver = await drivers[plan.driver]!();
  roomPublishers = plan.roomPublishers;
  clients = plan.clients.map((p) => ({ plan: p, tracker: new DeliveryTracker(), churned: false }));
  let next = 0;
  let failed = 0;
  const errors = new Set<string>();
  const lane = async () => {
    while (next < clients.length) {
      const sim = clients[next++] as SimClient;
      try {
        await connectOne(sim);
      } catch (error) {
        failed += 1;
        errors.add((error as Error).message.slice(0, 120));
      }
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, lane));
  send({ type: 'ready', connected: clients.length - failed, failed, errors: [...errors].slice(0, 5) });
}

/** Spreads publisher phases evenly over [0, 1) whatever the number of publishers. */
const GOLDEN_RATIO = 0.6180339887498949;

async function publish(order: Extract<ToWorker, { type: 'publish' }>): Promise<void> {
  round += 1;
  const publishers = clients.filter((c) => c.plan.publisher !== undefined && c.client);
  const seqs = new Map<number, number>(publishers.map((p) => [p.plan.publisher as number, 0]));
  const ackedBy = new Map<number, number>(publishers.map((p) => [p.plan.publisher as number, 0]));
  const padding = 'x'.repeat(Math.max(0, order.messageBytes - 30));
  let errors = 0;
  /** Sends the server refused for its per-user message budget (`rate_limited`). */
  let rateLimited = 0;
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  const progress = setInterval(() => send({ type: 'progress', sent, acked, received }), 500);
  const churnable = clients.filter((c) => c.plan.publisher === undefined);
  let churnDue = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const elapsed = performance.now() - started;
      const due = (Math.min(elapsed, order.durationMs) / 1000) * order.ratePerPublisher;
      for (const sim of publishers) {
        const id = sim.plan.publisher as number;
        // Each publisher has its own phase, so that sends arrive spread over time as independent users' would:
        // without it, every publisher crossed its next whole message at the same instant, and each such burst
        // (one message per publisher at once) put a latency floor under every system at low rates.
        const target = Math.floor(due + ((id * GOLDEN_RATIO) % 1));
        let seq = seqs.get(id) as number;
        while (seq < target) {
          seq += 1;
          sent += 1;
          const sentAt = performance.now();
          const text = encodePayload(performance.timeOrigin + sentAt, id, seq, padding);
          const done = (sim.client as BenchClient)
            .publish(sim.plan.room, text, `${RUN}-${id}-${round}-${seq}`)
            .then(
              () => {
                ackLatency.recordMs(performance.now() - sentAt);
                acked += 1;
                ackedBy.set(id, (ackedBy.get(id) ?? 0) + 1);
              },
              (error: Error) => {
                errors += 1;
                if (error.message === 'rate_limited') rateLimited += 1;
              },
            );
          inFlight.add(done);
          void done.finally(() => inFlight.delete(done));
        }
        seqs.set(id, seq);
      }
      if (order.churnPerSec > 0 && churnable.length > 0) {
        churnDue += (order.churnPerSec * 10) / 1000;
        while (churnDue >= 1) {
          churnDue -= 1;
          const sim = churnable[Math.floor(Math.random() * churnable.length)] as SimClient;
          sim.churned = true;
          sim.client?.close();
          reconnects += 1;
          connectOne(sim).catch(() => {});
        }
      }
      if (elapsed >= order.durationMs) {
        clearInterval(tick);
        resolve();
      }
    }, 10);
  });
  await Promise.race([Promise.allSettled([...inFlight]), new Promise((r) => setTimeout(r, 30_000))]);
  clearInterval(progress);
  send({ type: 'progress', sent, acked, received });
  // A publisher's final sequence is what it sent: every one of those must reach the room (failures show as missing).
  send({ type: 'published', finalSeqs: [...seqs.entries()], errors, rateLimited, cpuUs: cpuSinceReset() });
}

function account(finalSeqs: Array<[number, number]>): void {
  const finals = new Map(finalSeqs);
  let duplicates = 0;
  let missing = 0;
  let expected = 0;
  let total = 0;
  let receivedByStayed = 0;
  let churned = 0;
  for (const sim of clients) {
    if (!sim.client) continue;
    const mine = new Map<number, number>();
    for (const p of roomPublishers[sim.plan.room] ?? []) mine.set(p, finals.get(p) ?? 0);
    const totals = sim.tracker.totals(mine);
    total += totals.received;
    if (sim.churned) {
      churned += 1;
      continue;
    }
    receivedByStayed += totals.received;
    duplicates += totals.duplicates;
    missing += totals.missing;
    for (const final of mine.values()) expected += final;
  }
  send({
    type: 'accounted',
    received: total,
    duplicates,
    missing,
    expected,
    receivedByStayed,
    churned,
    reconnects,
    latency: latency.encode(),
    ackLatency: ackLatency.encode(),
    cpuUs: cpuSinceReset(),
  });
}

process.on('message', (message: ToWorker) => {
  if (message.type === 'plan') void connectAll(message);
  else if (message.type === 'publish') void publish(message);
  else if (message.type === 'account') account(message.finalSeqs);
  else if (message.type === 'reset') {
    latency.reset();
    ackLatency.reset();
    for (const sim of clients) sim.tracker = new DeliveryTracker();
    received = 0;
    sent = 0;
    acked = 0;
    cpuAtReset = process.cpuUsage();
  } else if (message.type === 'stop') {
    for (const sim of clients) sim.client?.close();
    setTimeout(() => process.exit(0), 200);
  }
});
process.on('disconnect', () => process.exit(0));
