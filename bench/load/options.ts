import { parseArgs } from 'node:util';

/** Everything a load run is made of. */
export interface BenchOptions {
  urls: string[];
  driver: string;
  scenario: string;
  clients: number;
  rooms: number;
  publishersPerRoom: number;
  /** Total messages per second over all publishers. */
  rate: number;
  /** Fixed total rates, one measured round each (after a warm-up): CPU per delivery at known loads. */
  rates: number[];
  durationSec: number;
  /**
   * Seconds between the last join and the first published message: time for what the connections started
   * (Parley's batched presence diffs, up to `presenceBatchMaxMs` after the last join) to finish before the
   * publishing rounds are measured, so that a round counts the messages' cost and not the connect storm's. The
   * servers' CPU up to its end is the connect storm's, diffs included (`serverUsPerConnectionSettled`).
   */
  settleSec: number;
  messageBytes: number;
  workers: number;
  /** Source addresses 127.0.B.2 ... (ephemeral ports are per source address). */
  addresses: number;
  /**
   * B in 127.0.B.x: a run takes a fresh block so that the previous run's closed connections (tens of thousands in
   * TIME_WAIT for a minute) do not crowd its source ports.
   */
  addressBlock: number;
  connectConcurrency: number;
  churnPerSec: number;
  serverPids: number[];
  /** A Redis server whose CPU is reported beside the servers' (per published message and per delivery). */
  redisPid?: number;
  /**
   * CPUs the load processes are pinned to (a `taskset` list such as `1` or `2-3`): with the server pinned to the
   * others, the server is what saturates, and the report can tell when the load side was at its limit instead.
   */
  loadCpus?: string;
  findMax: boolean;
  p99BoundMs: number;
  /** Which latency --find-max bounds: send to delivery (default) or send to acknowledgement. */
  p99Of: 'delivery' | 'ack';
  json: boolean;
}

function latencyKind(value: string): BenchOptions['p99Of'] {
  if (value === 'delivery' || value === 'ack') return value;
  throw new Error(`--p99-of must be delivery or ack, not ${value}`);
}

/** Named workloads; explicit flags override them. */
export const SCENARIOS: Record<string, Partial<BenchOptions>> = {
  idle: { clients: 5000, rooms: 100, publishersPerRoom: 0, rate: 0, durationSec: 5 },
  fanout: { clients: 5000, rooms: 100, publishersPerRoom: 1, rate: 500, durationSec: 10 },
  'big-room': { clients: 4000, rooms: 2, publishersPerRoom: 1, rate: 20, durationSec: 10 },
  churn: { clients: 3000, rooms: 30, publishersPerRoom: 1, rate: 100, durationSec: 10, churnPerSec: 100 },
  'cross-instance': { clients: 3000, rooms: 30, publishersPerRoom: 2, rate: 300, durationSec: 10 },
};

const DEFAULTS: BenchOptions = {
  urls: ['ws://127.0.0.1:8080/ws'],
  driver: 'parley',
  scenario: 'fanout',
  clients: 5000,
  rooms: 100,
  publishersPerRoom: 1,
  rate: 500,
  rates: [],
  durationSec: 10,
  settleSec: 0,
  messageBytes: 100,
  workers: 0,
  addresses: 0,
  addressBlock: 0,
  connectConcurrency: 50,
  churnPerSec: 0,
  serverPids: [],
  findMax: false,
  p99BoundMs: 200,
  p99Of: 'delivery',
  json: false,
};

/** Load traffic goes to this machine only. */
export function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export const BENCH_HELP = `parley bench: load-test Parley (or a peer) on this machine

Usage: parley bench [options]

  --url <ws-url>               target, repeatable or comma-separated (loopback only; default ws://127.0.0.1:8080/ws)
  --scenario <name>            ${Object.keys(SCENARIOS).join(', ')} (default fanout)
  --clients <n>                connections
  --rooms <n>                  rooms; members are spread evenly
  --publishers-per-room <n>    publishing members per room
  --rate <n>                   messages per second in total
  --rates <n,n,...>            one round at each total rate in turn, after a 3 s warm-up (CPU per delivery)
  --duration <s>               publishing time (the run stops by itself)
  --settle <s>                 wait until this long after the last join before publishing (default 0): Parley's
                               presence diffs of a connect storm end up to presenceBatchMaxMs after the last join;
                               with --server-pid, the server's CPU per connection up to then is reported too
  --message-bytes <n>          payload size (default 100)
  --churn <n>                  client reconnects per second while publishing (presence storms)
  --workers <n>                load processes (default: one per 15000 clients, at least 2)
  --addresses <n>              source addresses 127.0.B.2.. (default: one per 1000 clients above 5000)
  --address-block <n>          B, 0-255 (default: a random one per run, clear of the last run's closed ports)
  --server-pid <pid>           report the server's memory per connection and CPU per delivery (repeatable)
  --redis-pid <pid>            report this Redis server's CPU per published message and per delivery
  --load-cpus <list>           pin the load processes to these CPUs (taskset list, e.g. 1); pin the server to others
  --connect-concurrency <n>    handshakes in flight per load process (default 50)
  --find-max                   raise the rate by 1.5x until p99 passes --p99-bound-ms or deliveries fall behind,
                               then bisect twice between the last rate that held and the first that did not;
                               a rate that fails is tried once more before it counts as failed
  --p99-bound-ms <n>           latency bound for --find-max (default 200)
  --p99-of <delivery|ack>      the latency it bounds: send to delivery at every member (default), or send to
                               the server's acknowledgement (with a database store: once committed)
  --driver <name>              parley (default), ws-peer, socketio
  --json                       machine-readable result on stdout
`;

/**
 * Source addresses for `clients` connections. Up to 5,000, one address and no explicit bind: the kernel picks ports
 * per destination. Beyond that each client binds a source address first, and a bind searches that address's used
 * ports for a free one, so the search slows as ports fill: 19,900 clients over 2 addresses connected at ~520/s
 * against ~2,800/s over 20 (bare ws peer, this machine). Hence one address per 1,000 clients.
 */
export function defaultAddresses(clients: number): number {
  return clients <= 5000 ? 1 : Math.min(MAX_ADDRESSES, Math.ceil(clients / 1000));
}

/**
 * Load processes for `clients` connections: as few as the open-files limit (20,000 per process here) allows, and at
 * least two. On a small machine every extra process competes with the server for the same cores: 19,900 clients
 * over 4 processes connected at ~2,500/s to the bare ws peer and ~1,850/s to Parley, over 2 at ~3,300/s and ~2,050/s.
 */
export function defaultWorkers(clients: number): number {
  return Math.max(2, Math.ceil(clients / 15_000));
}

/** 127.0.B.2 ... 127.0.B.254. */
const MAX_ADDRESSES = 253;

/** Checks a `taskset` CPU list (`1`, `0,2`, `2-3`) and returns it. */
export function cpuList(raw: string): string {
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(raw))
    throw new Error(`--load-cpus must be a CPU list like 1 or 2-3`);
  return raw;
}

/** How many CPUs a `taskset` list names. */
export function cpuCount(list: string): number {
  return list.split(',').reduce((sum, part) => {
    const [from, to] = part.split('-').map(Number);
    return sum + (to === undefined ? 1 : (to as number) - (from as number) + 1);
  }, 0);
}

/** Parses `parley bench` arguments; throws with a readable message. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      url: { type: 'string', multiple: true },
      scenario: { type: 'string' },
      clients: { type: 'string' },
      rooms: { type: 'string' },
      'publishers-per-room': { type: 'string' },
      rate: { type: 'string' },
      rates: { type: 'string' },
      duration: { type: 'string' },
      settle: { type: 'string' },
      'message-bytes': { type: 'string' },
      churn: { type: 'string' },
      workers: { type: 'string' },
      addresses: { type: 'string' },
      'address-block': { type: 'string' },
      'server-pid': { type: 'string', multiple: true },
      'redis-pid': { type: 'string' },
      'load-cpus': { type: 'string' },
      'connect-concurrency': { type: 'string' },
      'find-max': { type: 'boolean' },
      'p99-bound-ms': { type: 'string' },
      'p99-of': { type: 'string' },
      driver: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  if (values.help) return 'help';
  const scenario = values.scenario ?? DEFAULTS.scenario;
  const preset = SCENARIOS[scenario];
  if (!preset) throw new Error(`unknown scenario '${scenario}' (${Object.keys(SCENARIOS).join(', ')})`);
  const int = (name: string, raw: string | undefined, fallback: number, min = 0) => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number >= ${min}`);
    return n;
  };
  const o = { ...DEFAULTS, ...preset };
  const urls = (values.url ?? o.urls).flatMap((u) => u.split(',')).map((u) => u.trim());
  for (const url of urls) {
    if (!isLoopback(url))
      throw new Error(`refusing ${url}: load is only sent to this machine (127.0.0.0/8, ::1)`);
  }
  const clients = int('clients', values.clients, o.clients, 1);
  const options: BenchOptions = {
    ...o,
    urls,
    scenario,
    driver: values.driver ?? o.driver,
    clients,
    rooms: Math.min(clients, int('rooms', values.rooms, o.rooms, 1)),
    publishersPerRoom: int('publishers-per-room', values['publishers-per-room'], o.publishersPerRoom),
    rate: int('rate', values.rate, o.rate),
    rates: values.rates === undefined ? [] : values.rates.split(',').map((r) => int('rates', r.trim(), 0, 1)),
    durationSec: int('duration', values.duration, o.durationSec, 1),
    settleSec: int('settle', values.settle, o.settleSec),
    messageBytes: int('message-bytes', values['message-bytes'], o.messageBytes, 40),
    churnPerSec: int('churn', values.churn, o.churnPerSec),
    workers: int('workers', values.workers, 0) || defaultWorkers(clients),
    addresses: int('addresses', values.addresses, 0) || defaultAddresses(clients),
    addressBlock: int('address-block', values['address-block'], Math.floor(Math.random() * 256)),
    serverPids: (values['server-pid'] ?? []).map((p) => int('server-pid', p, 0, 1)),
    ...(values['redis-pid'] !== undefined ? { redisPid: int('redis-pid', values['redis-pid'], 0, 1) } : {}),
    ...(values['load-cpus'] !== undefined ? { loadCpus: cpuList(values['load-cpus']) } : {}),
    connectConcurrency: int('connect-concurrency', values['connect-concurrency'], o.connectConcurrency, 1),
    findMax: values['find-max'] ?? false,
    p99BoundMs: int('p99-bound-ms', values['p99-bound-ms'], o.p99BoundMs, 1),
    p99Of: latencyKind(values['p99-of'] ?? o.p99Of),
    json: values.json ?? false,
  };
  if (options.durationSec > 600) throw new Error('--duration is at most 600 s');
  if (options.addressBlock > 255) throw new Error('--address-block is at most 255');
  if (options.addresses > MAX_ADDRESSES)
    throw new Error(`--addresses is at most ${MAX_ADDRESSES} (127.0.B.2-254)`);
  return options;
}
