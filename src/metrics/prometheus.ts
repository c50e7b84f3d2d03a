import { Counter, collectDefaultMetrics, Gauge, type Registry } from 'prom-client';
import type { EngineCounters } from '../engine/engine.js';
import type { HubCounters, HubObserver } from '../hub/hub.js';
import type { UploadCounters } from '../hub/uploads.js';
import { BucketHistogram } from './bucket-histogram.js';
import { LOOP_DELAY_RESOLUTION_MS } from './loop-delay.js';

/** Where the metrics read a node's current values at scrape time. */
export interface MetricSources {
  hub: () => HubCounters;
  engine: () => EngineCounters;
  connections: () => number;
  rooms: () => number;
  users: () => number;
  bytesOut: () => number;
  /** Read markers: `read`s received (and sends), batches stored, markers moved (zeros without rooms). */
  readMarkers: () => { reads: number; batches: number; moved: number };
  /** Files: uploads and downloads done and in progress, files swept (zeros where the engine keeps none). */
  files: () => {
    uploads: UploadCounters;
    uploading: number;
    downloads: { served: number; bytes: number };
    downloading: number;
  };
  /** Posts to incoming webhooks' addresses: made into rooms, and refused. */
  webhooks: () => { posted: number; refused: number };
  /** Scheduled messages this instance sent, and failed (refused when due); reminders it told (zeros without rooms). */
  scheduled: () => { sent: number; failed: number; reminded: number };
  /** Link previews: made by a fetch, answered from those kept, none to show (zeros with previews off). */
  linkPreviews: () => { fetched: number; kept: number; none: number };
  /** 1 while the node is ready (engine connected and subscribed), else 0. */
  ready: () => number;
}

/** Latency buckets in seconds: sub-millisecond in-memory publishes up to multi-second stalls. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * Counters whose values are kept elsewhere (the hub's and engine's plain counters, which the stats feed reads too)
 * and copied in at scrape time: the hot path increments a number, never a metric object.
 */
const MIRRORED_COUNTERS: ReadonlyArray<[name: string, help: string, read: (s: MetricSources) => number]> = [
  ['parley_connections_opened_total', 'WebSocket connections accepted.', (s) => s.hub().connectionsOpened],
  [
    'parley_messages_received_total',
    'Send commands received from clients of this instance.',
    (s) => s.hub().messagesReceived,
  ],
  [
    'parley_messages_published_total',
    'Messages from clients of this instance stored and published.',
    (s) => s.hub().published,
  ],
  [
    'parley_read_marks_total',
    'Read markers received (read commands and sends), before batching.',
    (s) => s.readMarkers().reads,
  ],
  [
    'parley_read_marker_batches_total',
    'Batches of read markers stored (one database statement each, one more to count unread messages).',
    (s) => s.readMarkers().batches,
  ],
  [
    'parley_read_markers_moved_total',
    "Read markers that moved (each told to its user's connections).",
    (s) => s.readMarkers().moved,
  ],
  ['parley_deliveries_total', 'Room event frames written to local connections.', (s) => s.hub().deliveries],
  ['parley_bytes_out_total', 'Bytes of WebSocket data frames written to clients.', (s) => s.bytesOut()],
  [
    'parley_slow_consumer_closes_total',
    'Connections closed because their send queue overflowed (close code 4003).',
    (s) => s.hub().slowConsumers,
  ],
  [
    'parley_rate_limited_total',
    'Commands refused by a rate limit (per connection or per user).',
    (s) => s.hub().rateLimited,
  ],
  [
    'parley_reply_budget_waits_total',
    "Commands held back because their user's replies spent --reply-bytes-per-sec.",
    (s) => s.hub().replyWaits,
  ],
  [
    'parley_engine_errors_total',
    'Failed engine operations seen by the hub (publish, presence, subscribe).',
    (s) => s.hub().engineErrors,
  ],
  [
    'parley_broker_received_total',
    'Room payloads received from the shared layer (Redis pub/sub).',
    (s) => s.engine().received,
  ],
  [
    'parley_redis_command_errors_total',
    'Redis commands and scripts that failed.',
    (s) => s.engine().commandErrors,
  ],
  [
    'parley_redis_reconnects_total',
    'Reconnection attempts after a Redis connection was lost.',
    (s) => s.engine().reconnects,
  ],
  [
    'parley_redis_resubscriptions_total',
    'Times the room subscriptions were lost (a subscriber connection, a cluster shard failover) and taken again, each followed by a re-sync of the hosted rooms.',
    (s) => s.engine().resubscriptions ?? 0,
  ],
  [
    'parley_store_commits_total',
    'Batches of messages committed to the database (group commit; 0 without a database store).',
    (s) => s.engine().store?.commits ?? 0,
  ],
  [
    'parley_store_committed_messages_total',
    'Messages in the committed batches (divide by commits for the mean batch size).',
    (s) => s.engine().store?.messages ?? 0,
  ],
  [
    'parley_store_commit_seconds_total',
    'Time spent committing batches (divide by commits for the mean commit latency).',
    (s) => s.engine().store?.seconds ?? 0,
  ],
  [
    'parley_store_errors_total',
    'Database commits and reads that failed, and committed batches that could not be published.',
    (s) => s.engine().store?.failures ?? 0,
  ],
  [
    'parley_uploads_total',
    'Uploads of files complete (WebSocket and server API).',
    (s) => s.files().uploads.completed,
  ],
  ['parley_upload_bytes_total', 'Bytes of uploads stored.', (s) => s.files().uploads.bytes],
  [
    'parley_files_swept_total',
    'Files the sweep removed: uploads never sent, files whose message is gone.',
    (s) => s.files().uploads.swept,
  ],
  ['parley_downloads_total', 'Files served, whole or a range.', (s) => s.files().downloads.served],
  [
    'parley_webhook_posts_total',
    "Messages posted into rooms through incoming webhooks' addresses.",
    (s) => s.webhooks().posted,
  ],
  [
    'parley_webhook_posts_refused_total',
    "Posts to webhooks' addresses refused (no such webhook, a bad payload, a limit, the store unavailable).",
    (s) => s.webhooks().refused,
  ],
  [
    'parley_scheduled_sent_total',
    'Scheduled messages this instance sent when their time came (a duplicate of one sent before counts too).',
    (s) => s.scheduled().sent,
  ],
  [
    'parley_scheduled_failed_total',
    "Scheduled messages the room's rules refused when their time came (kept failed, with the reason).",
    (s) => s.scheduled().failed,
  ],
  [
    'parley_reminders_total',
    "Reminders of saved messages this instance found due and told to their users' devices.",
    (s) => s.scheduled().reminded,
  ],
  ['parley_download_bytes_total', 'Bytes of files served.', (s) => s.files().downloads.bytes],
  [
    'parley_link_previews_fetched_total',
    'Link previews made by fetching their page (each address once, however many asked).',
    (s) => s.linkPreviews().fetched,
  ],
  [
    'parley_link_previews_kept_total',
    'Link previews answered from those the instance keeps (no fetch).',
    (s) => s.linkPreviews().kept,
  ],
  [
    'parley_link_previews_none_total',
    'Fetches for link previews that gave none: no tags, no HTML, an error status, no answer in time, an address not allowed.',
    (s) => s.linkPreviews().none,
  ],
  [
    'parley_history_reads_window_total',
    'History and resume reads answered by the recent window (cache hits).',
    (s) => s.engine().store?.windowReads ?? 0,
  ],
  [
    'parley_history_reads_database_total',
    'History and resume reads answered by the database (cache misses; identical concurrent reads count once).',
    (s) => s.engine().store?.databaseReads ?? 0,
  ],
];

/** Gauges read at scrape time. */
const GAUGES: ReadonlyArray<[name: string, help: string, read: (s: MetricSources) => number]> = [
  ['parley_connections', 'Open WebSocket connections.', (s) => s.connections()],
  ['parley_rooms', 'Rooms with at least one local member.', (s) => s.rooms()],
  ['parley_users_online', 'Distinct users connected to this instance.', (s) => s.users()],
  ['parley_ready', '1 while the instance is ready (engine connected and subscribed).', (s) => s.ready()],
  ['parley_store_queue', 'Messages waiting for their database batch.', (s) => s.engine().store?.queued ?? 0],
  [
    'parley_uploads_in_progress',
    'Uploads of files in progress (at most --max-uploads).',
    (s) => s.files().uploading,
  ],
  [
    'parley_downloads_in_progress',
    'Files being served (at most --max-downloads).',
    (s) => s.files().downloading,
  ],
];

/**
 * Registers Parley's metrics on `registry` (injected: several nodes in one process each have their own) and
 * returns the observer the hub reports latencies to. Includes prom-client's default process metrics, among them
 * `nodejs_eventloop_lag_seconds`.
 */
export function registerMetrics(registry: Registry, sources: MetricSources): HubObserver {
  // Its event-loop histogram samples at the dashboard's period, not every 10 ms (see LOOP_DELAY_RESOLUTION_MS).
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: LOOP_DELAY_RESOLUTION_MS });
  for (const [name, help, read] of GAUGES) {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read(sources));
      },
    });
  }
  for (const [name, help, read] of MIRRORED_COUNTERS) {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read(sources));
      },
    });
  }
  new Counter({
    name: 'parley_connections_closed_total',
    help: 'WebSocket connections closed, by close code (the server code when it closed first).',
    labelNames: ['code'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [code, count] of sources.hub().connectionsClosed) this.inc({ code: String(code) }, count);
    },
  });
  const latency = (name: string, help: string) => new BucketHistogram(name, help, LATENCY_BUCKETS, registry);
  const publish = latency(
    'parley_publish_duration_seconds',
    'Time to store and publish a client message in the engine (one Redis round trip on Redis).',
  );
  const delivery = latency(
    'parley_delivery_latency_seconds',
    'End-to-end latency from publish to fan-out on this instance, one observation per message fanned out.',
  );
  return {
    publishLatency: (ms) => publish.observe(ms / 1000),
    // Once per message fanned out here (all its local members get it in the same turn), not per member.
    deliveryLatency: (ms) => delivery.observe(Math.max(0, ms) / 1000),
  };
}
