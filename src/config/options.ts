/**
 * The one table of configuration options. The CLI flags, environment variables, validation, `parley --help` and
 * docs/configuration.md all derive from it, so an option exists in all of them or in none.
 */
import { SEARCH_BOUNDS } from '../log/database-search.js';
import { DEFAULT_CACHE_BYTES, DEFAULT_WASM_TIER, WASM_TIERS } from '../store/pglite-settings.js';

interface BaseSpec {
  /** Flag name without dashes, kebab-case. */
  flag: string;
  /** Environment variables read for this option, first found wins. */
  env: readonly string[];
  description: string;
  group: 'server' | 'security' | 'engine' | 'limits' | 'timing' | 'logging';
}
export interface IntSpec extends BaseSpec {
  kind: 'int';
  default: number;
  min: number;
  max: number;
  /** Unit shown in help and errors. */
  unit?: 'ms' | 'bytes' | 'characters';
  /**
   * When set, the word `auto` is also accepted (and may be the default): it is {@link AUTO} in the parsed
   * configuration, which the composition root resolves from other options as this text says.
   */
  auto?: string;
}
export interface StringSpec extends BaseSpec {
  kind: 'string';
  default: string;
  /** Returns an error message for a bad value, or undefined when the value is fine. */
  check?: (value: string) => string | undefined;
}
export interface EnumSpec extends BaseSpec {
  kind: 'enum';
  default: string;
  values: readonly string[];
}
export type OptionSpec = IntSpec | StringSpec | EnumSpec;

/** The parsed value of `auto` (see {@link IntSpec.auto}). */
export const AUTO = -1;

/** What `auto` means for an option whose default it is (help and the reference say so); undefined otherwise. */
export function autoDefault(spec: OptionSpec): string | undefined {
  return spec.kind === 'int' && spec.default === AUTO ? spec.auto : undefined;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;

/** A check for an optional URL of one of two schemes, e.g. `redis:` and `rediss:`. */
function urlCheck(schemes: [string, string], example: string): (value: string) => string | undefined {
  return (value) => {
    if (value === '') return undefined;
    let protocol: string;
    try {
      protocol = new URL(value).protocol;
    } catch {
      return `must be a URL such as ${example}`;
    }
    return schemes.includes(protocol.slice(0, -1))
      ? undefined
      : `must start with ${schemes[0]}:// or ${schemes[1]}://`;
  };
}

const checkRedisUrl = urlCheck(['redis', 'rediss'], 'redis://127.0.0.1:6379');
const checkDatabaseUrl = urlCheck(['postgres', 'postgresql'], 'postgres://user@127.0.0.1:5432/parley');

/** A URL the browser opens or fetches: absolute http(s), or a path on this server. */
function checkPageUrl(value: string): string | undefined {
  if (value === '' || /^\/(?!\/)/.test(value)) return undefined;
  try {
    const { protocol } = new URL(value);
    if (protocol === 'http:' || protocol === 'https:') return undefined;
  } catch {
    // Said below.
  }
  return 'must be an http(s) URL such as https://example.com/chat-token, or a path such as /chat-token';
}

function checkClusterNodes(value: string): string | undefined {
  if (value === '') return undefined;
  const ok = value.split(',').every((part) => /^[A-Za-z0-9_.-]+:\d{1,5}$/.test(part.trim()));
  return ok ? undefined : 'must be a comma-separated list of host:port';
}

function checkOrigins(value: string): string | undefined {
  if (value === '' || value === '*') return undefined;
  for (const origin of value.split(',').map((o) => o.trim())) {
    try {
      const url = new URL(origin);
      if (url.origin !== origin) return `'${origin}' is not an origin (scheme://host[:port], no path)`;
    } catch {
      return `'${origin}' is not an origin such as https://chat.example.com`;
    }
  }
  return undefined;
}

function checkSecret(value: string): string | undefined {
  return value === '' || value.length >= 32
    ? undefined
    : 'must be at least 32 characters (256 bits for HS256)';
}

function checkPath(value: string): string | undefined {
  return /^\/[A-Za-z0-9/_-]*$/.test(value) ? undefined : "must be a URL path such as '/ws'";
}

function checkId(value: string): string | undefined {
  return value === '' || /^[A-Za-z0-9_.-]{1,64}$/.test(value)
    ? undefined
    : 'must be 1-64 characters of letters, digits, _ . -';
}

function checkPrefix(value: string): string | undefined {
  return /^[A-Za-z0-9_.:-]{1,64}$/.test(value)
    ? undefined
    : 'must be 1-64 characters of letters, digits, _ . : -';
}

/** Every option, keyed by its name in {@link Config}. */
export const OptionSpecs = {
  host: {
    kind: 'string',
    flag: 'host',
    env: ['PARLEY_HOST', 'HOST'],
    default: '0.0.0.0',
    description: 'Address to listen on',
    group: 'server',
  },
  port: {
    kind: 'int',
    flag: 'port',
    env: ['PARLEY_PORT', 'PORT'],
    default: 8080,
    min: 0,
    max: 65535,
    description: 'TCP port for HTTP and WebSocket (0 picks a free port)',
    group: 'server',
  },
  wsPath: {
    kind: 'string',
    flag: 'ws-path',
    env: ['PARLEY_WS_PATH'],
    default: '/ws',
    check: checkPath,
    description: 'URL path of the WebSocket endpoint',
    group: 'server',
  },
  nodeId: {
    kind: 'string',
    flag: 'node-id',
    env: ['PARLEY_NODE_ID'],
    default: '',
    check: checkId,
    description: 'Id of this instance in the cluster (default: random)',
    group: 'server',
  },
  auth: {
    kind: 'enum',
    flag: 'auth',
    env: ['PARLEY_AUTH'],
    default: 'anonymous',
    values: ['anonymous', 'jwt'],
    description: 'anonymous: users pick a display name (local use and demos only); jwt: verified tokens',
    group: 'security',
  },
  jwtSecret: {
    kind: 'string',
    flag: 'jwt-secret',
    env: ['PARLEY_JWT_SECRET'],
    default: '',
    check: checkSecret,
    description: 'HS256 secret that tokens are signed with',
    group: 'security',
  },
  jwtPublicKeyFile: {
    kind: 'string',
    flag: 'jwt-public-key-file',
    env: ['PARLEY_JWT_PUBLIC_KEY_FILE'],
    default: '',
    description: 'PEM (SPKI) public key file for RS256 or ES256 tokens (see --jwt-algorithm)',
    group: 'security',
  },
  jwtJwksFile: {
    kind: 'string',
    flag: 'jwt-jwks-file',
    env: ['PARLEY_JWT_JWKS_FILE'],
    default: '',
    description: 'JWKS file (JSON) with the public keys of RS256/ES256 tokens, chosen by kid',
    group: 'security',
  },
  jwtAlgorithm: {
    kind: 'enum',
    flag: 'jwt-algorithm',
    env: ['PARLEY_JWT_ALGORITHM'],
    default: 'RS256',
    values: ['RS256', 'ES256'],
    description: 'Algorithm of --jwt-public-key-file tokens (a secret always means HS256)',
    group: 'security',
  },
  jwtIssuer: {
    kind: 'string',
    flag: 'jwt-issuer',
    env: ['PARLEY_JWT_ISSUER'],
    default: '',
    description: 'Required iss claim (empty: not checked)',
    group: 'security',
  },
  jwtAudience: {
    kind: 'string',
    flag: 'jwt-audience',
    env: ['PARLEY_JWT_AUDIENCE'],
    default: '',
    description: 'Required aud claim (empty: not checked)',
    group: 'security',
  },
  feedEventsPerSec: {
    kind: 'int',
    flag: 'feed-events-per-sec',
    env: ['PARLEY_FEED_EVENTS_PER_SEC'],
    default: 50,
    min: 1,
    max: 1000,
    description:
      "The dashboard's live event feed: events each instance sends per second, and each dashboard receives (the rest are counted as dropped)",
    group: 'server',
  },
  uiTokenUrl: {
    kind: 'string',
    flag: 'ui-token-url',
    env: ['PARLEY_UI_TOKEN_URL'],
    default: '',
    check: checkPageUrl,
    description:
      'With --auth jwt: where the bundled chat gets a token, sending the user\'s cookies; answers {"token": "…"} (docs/security.md)',
    group: 'security',
  },
  uiLoginUrl: {
    kind: 'string',
    flag: 'ui-login-url',
    env: ['PARLEY_UI_LOGIN_URL'],
    default: '',
    check: checkPageUrl,
    description:
      'With --auth jwt: where the bundled chat sends a user without a session to sign in (?return= the chat page)',
    group: 'security',
  },
  allowedOrigins: {
    kind: 'string',
    flag: 'allowed-origins',
    env: ['PARLEY_ALLOWED_ORIGINS'],
    default: '',
    check: checkOrigins,
    description:
      'Comma-separated origins browsers may connect from (empty or *: any). Clients sending no Origin are not browsers',
    group: 'security',
  },
  adminToken: {
    kind: 'string',
    flag: 'admin-token',
    env: ['PARLEY_ADMIN_TOKEN'],
    default: '',
    check: (value) => (value === '' || value.length >= 16 ? undefined : 'must be at least 16 characters'),
    description:
      'Bearer token required by /api/stats, /metrics and the dashboard stream (empty: open; set it in production); ' +
      'also accepted by the server API',
    group: 'security',
  },
  apiToken: {
    kind: 'string',
    flag: 'api-token',
    env: ['PARLEY_API_TOKEN'],
    default: '',
    check: (value) => (value === '' || value.length >= 16 ? undefined : 'must be at least 16 characters'),
    description:
      'Bearer token of the server API for backends (/api/rooms/*, /api/users/*: publish, history, presence, ' +
      'disconnect); empty: the server API is disabled unless an admin token is set',
    group: 'security',
  },
  trustProxy: {
    kind: 'string',
    flag: 'trust-proxy',
    env: ['PARLEY_TRUST_PROXY'],
    default: 'no',
    check: (value) =>
      /^(no|yes|[1-9])$/.test(value) ? undefined : 'must be no, yes or a number of proxies from 1 to 9',
    description:
      'no, yes or a number of proxies: take the client address from X-Forwarded-For, the entry this many from the right (yes: 1, the address the proxy in front saw); only behind proxies that set or append it',
    group: 'security',
  },
  redisUrl: {
    kind: 'string',
    flag: 'redis-url',
    env: ['PARLEY_REDIS_URL', 'REDIS_URL'],
    default: '',
    check: checkRedisUrl,
    description: 'Redis URL; when set, the Redis engine replaces the in-memory engine',
    group: 'engine',
  },
  redisCluster: {
    kind: 'string',
    flag: 'redis-cluster',
    env: ['PARLEY_REDIS_CLUSTER'],
    default: '',
    check: checkClusterNodes,
    description: 'Redis Cluster seed nodes (host:port,...); uses sharded pub/sub. Replaces --redis-url',
    group: 'engine',
  },
  redisConnectTimeoutMs: {
    kind: 'int',
    flag: 'redis-connect-timeout-ms',
    env: ['PARLEY_REDIS_CONNECT_TIMEOUT_MS'],
    default: 5 * SECOND,
    min: 0,
    max: 10 * MINUTE,
    unit: 'ms',
    description: 'How long start-up waits for Redis before serving as not ready (and retrying)',
    group: 'engine',
  },
  redisCommandTimeoutMs: {
    kind: 'int',
    flag: 'redis-command-timeout-ms',
    env: ['PARLEY_REDIS_COMMAND_TIMEOUT_MS'],
    default: 2 * SECOND,
    min: 50,
    max: MINUTE,
    unit: 'ms',
    description:
      'A Redis command without a reply after this long fails (sends answer unavailable) and the instance reports not ready until Redis answers again',
    group: 'engine',
  },
  databaseUrl: {
    kind: 'string',
    flag: 'database-url',
    env: ['PARLEY_DATABASE_URL', 'DATABASE_URL'],
    default: '',
    check: checkDatabaseUrl,
    description:
      'PostgreSQL URL: conversations are stored there (required for several instances, with Redis as its cache and bus). Migrated at start',
    group: 'engine',
  },
  store: {
    kind: 'enum',
    flag: 'store',
    env: ['PARLEY_STORE'],
    default: 'auto',
    values: ['auto', 'embedded', 'postgres', 'memory', 'redis'],
    description:
      'Where conversations are kept. auto: PostgreSQL with --database-url, else embedded. embedded: a database in --data-dir (one instance). memory: process memory, lost at exit. redis: only Redis streams (lost when Redis restarts)',
    group: 'engine',
  },
  dataDir: {
    kind: 'string',
    flag: 'data-dir',
    env: ['PARLEY_DATA_DIR'],
    default: './data',
    description: 'Directory of the embedded store (created on first start)',
    group: 'engine',
  },
  embeddedCacheBytes: {
    kind: 'int',
    flag: 'embedded-cache-bytes',
    env: ['PARLEY_EMBEDDED_CACHE_BYTES'],
    default: DEFAULT_CACHE_BYTES,
    min: 1 * MiB,
    // PGlite is 32-bit WebAssembly: a cache of a few GB does not fit its memory (3 GiB: it fails to start).
    max: 1024 * MiB,
    unit: 'bytes',
    description:
      "With the embedded store: its buffer cache (PostgreSQL's shared_buffers, in this process). Recent messages are cached in memory anyway, and the operating system caches the database's files",
    group: 'engine',
  },
  embeddedWasmTier: {
    kind: 'enum',
    flag: 'embedded-wasm-tier',
    env: ['PARLEY_EMBEDDED_WASM_TIER'],
    default: DEFAULT_WASM_TIER,
    values: WASM_TIERS,
    description:
      "With the embedded store: V8's compiler for PGlite's WebAssembly. baseline: steady memory, slower statements; optimizing: faster statements, but on Node 24 a one-time burst of several hundred MB within seconds of start (both measured in docs/storage.md)",
    group: 'engine',
  },
  commitWaitMs: {
    kind: 'int',
    flag: 'commit-wait-ms',
    env: ['PARLEY_COMMIT_WAIT_MS'],
    default: AUTO,
    min: 0,
    max: 1000,
    unit: 'ms',
    auto: '40 ms with the embedded store, 10 ms with PostgreSQL',
    description:
      'With a database store: how long a message waits for others to share its commit when none is in progress (longer: less CPU per message at low rates, more latency)',
    group: 'engine',
  },
  retentionDays: {
    kind: 'int',
    flag: 'retention-days',
    env: ['PARLEY_RETENTION_DAYS'],
    default: 0,
    min: 0,
    max: 36_500,
    description:
      'With a database store: messages older than this many days are deleted in the background, hourly (0: kept forever)',
    group: 'engine',
  },
  searchSamplePages: {
    kind: 'int',
    flag: 'search-sample-pages',
    env: ['PARLEY_SEARCH_SAMPLE_PAGES'],
    default: SEARCH_BOUNDS.samplePages,
    min: 1,
    max: 100_000,
    description:
      'With a database store: pages of messages a search samples at random to tell how common its words are (docs/storage.md, "Search")',
    group: 'engine',
  },
  searchCandidatesMax: {
    kind: 'int',
    flag: 'search-candidates-max',
    env: ['PARLEY_SEARCH_CANDIDATES_MAX'],
    default: SEARCH_BOUNDS.candidatesMax,
    min: 1,
    max: 10_000_000,
    description:
      'With a database store: most messages a search takes from the words index (by the sample) to check and sort; beyond, it walks the rooms',
    group: 'engine',
  },
  searchEntriesMax: {
    kind: 'int',
    flag: 'search-entries-max',
    env: ['PARLEY_SEARCH_ENTRIES_MAX'],
    default: SEARCH_BOUNDS.entriesMax,
    min: 1,
    max: 100_000_000,
    description:
      'With a database store: most entries a search reads from the words index for the words it looks up there (by the sample); the others are checked on each message',
    group: 'engine',
  },
  searchWalkMax: {
    kind: 'int',
    flag: 'search-walk-max',
    env: ['PARLEY_SEARCH_WALK_MAX'],
    default: SEARCH_BOUNDS.walkMax,
    min: 1,
    max: 10_000_000,
    description:
      'With a database store: most messages a search reads walking the rooms newest first (at least one a room) before it answers with where it stopped (next)',
    group: 'engine',
  },
  databaseTimeoutMs: {
    kind: 'int',
    flag: 'database-timeout-ms',
    env: ['PARLEY_DATABASE_TIMEOUT_MS'],
    default: 5 * SECOND,
    min: 100,
    max: MINUTE,
    unit: 'ms',
    description:
      'Longest wait for a database connection or statement; then the operation fails (sends answer unavailable)',
    group: 'engine',
  },
  redisPrefix: {
    kind: 'string',
    flag: 'redis-prefix',
    env: ['PARLEY_REDIS_PREFIX'],
    default: 'parley',
    check: checkPrefix,
    description: 'Prefix of every Redis key and channel',
    group: 'engine',
  },
  historySize: {
    kind: 'int',
    flag: 'history-size',
    env: ['PARLEY_HISTORY_SIZE'],
    default: 1000,
    min: 0,
    max: 1_000_000,
    description: 'Messages retained per room',
    group: 'engine',
  },
  historyTtlMs: {
    kind: 'int',
    flag: 'history-ttl-ms',
    env: ['PARLEY_HISTORY_TTL_MS'],
    default: 7 * DAY,
    min: MINUTE,
    max: 365 * DAY,
    unit: 'ms',
    description: 'How long a room history is kept after its last message',
    group: 'engine',
  },
  idempotencyWindowMs: {
    kind: 'int',
    flag: 'idempotency-window-ms',
    env: ['PARLEY_IDEMPOTENCY_WINDOW_MS'],
    default: 5 * MINUTE,
    min: SECOND,
    max: DAY,
    unit: 'ms',
    description: 'How long a client message id is remembered to make retries safe',
    group: 'engine',
  },
  presenceTtlMs: {
    kind: 'int',
    flag: 'presence-ttl-ms',
    env: ['PARLEY_PRESENCE_TTL_MS'],
    default: 6 * SECOND,
    min: 300,
    max: 10 * MINUTE,
    unit: 'ms',
    description:
      "An instance's presence entries expire when its presence liveness refresh (every third of this) stops for this long: " +
      "the users of a crashed instance leave others' presence within about this time plus one second",
    group: 'engine',
  },
  maxPayloadBytes: {
    kind: 'int',
    flag: 'max-payload-bytes',
    env: ['PARLEY_MAX_PAYLOAD_BYTES'],
    default: 64 * KiB,
    min: 1 * KiB,
    max: 16 * MiB,
    unit: 'bytes',
    description: 'Largest WebSocket frame accepted from a client (larger: close 1009)',
    group: 'limits',
  },
  maxTextLength: {
    kind: 'int',
    flag: 'max-text-length',
    env: ['PARLEY_MAX_TEXT_LENGTH'],
    default: 4000,
    min: 1,
    max: 1_000_000,
    unit: 'characters',
    description: 'Longest message text, in UTF-16 code units',
    group: 'limits',
  },
  maxNameLength: {
    kind: 'int',
    flag: 'max-name-length',
    env: ['PARLEY_MAX_NAME_LENGTH'],
    default: 32,
    min: 1,
    max: 256,
    unit: 'characters',
    description: 'Longest display name',
    group: 'limits',
  },
  maxRoomNameLength: {
    kind: 'int',
    flag: 'max-room-name-length',
    env: ['PARLEY_MAX_ROOM_NAME_LENGTH'],
    default: 64,
    min: 1,
    max: 256,
    unit: 'characters',
    description: 'Longest room name (letters, digits and _ . : - only)',
    group: 'limits',
  },
  maxRoomTitleLength: {
    kind: 'int',
    flag: 'max-room-title-length',
    env: ['PARLEY_MAX_ROOM_TITLE_LENGTH'],
    default: 80,
    min: 1,
    max: 1000,
    unit: 'characters',
    description: 'Longest display name of a created room (its id is a room name)',
    group: 'limits',
  },
  maxTopicLength: {
    kind: 'int',
    flag: 'max-topic-length',
    env: ['PARLEY_MAX_TOPIC_LENGTH'],
    default: 500,
    min: 1,
    max: 10_000,
    unit: 'characters',
    description: 'Longest room topic, and longest reason given for a kick or a ban',
    group: 'limits',
  },
  readMarkerFlushMs: {
    kind: 'int',
    flag: 'read-marker-flush-ms',
    env: ['PARLEY_READ_MARKER_FLUSH_MS'],
    default: 200,
    min: 1,
    max: 60_000,
    unit: 'ms',
    description:
      'Read markers wait this long to be stored together (one statement per batch), and the other devices hear of a read that much later',
    group: 'limits',
  },
  readMarkerBatchMax: {
    kind: 'int',
    flag: 'read-marker-batch-max',
    env: ['PARLEY_READ_MARKER_BATCH_MAX'],
    default: 1000,
    min: 1,
    max: 100_000,
    description: 'Most read markers stored in one statement (more start the next batch at once)',
    group: 'limits',
  },
  maxPinsPerRoom: {
    kind: 'int',
    flag: 'max-pins-per-room',
    env: ['PARLEY_MAX_PINS_PER_ROOM'],
    default: 50,
    min: 1,
    max: 1000,
    description:
      'Messages one room may have pinned (its pins are listed whole, a message each); one more answers pin_limit until one is unpinned',
    group: 'limits',
  },
  maxInviteLinksPerRoom: {
    kind: 'int',
    flag: 'max-invite-links-per-room',
    env: ['PARLEY_MAX_INVITE_LINKS_PER_ROOM'],
    default: 20,
    min: 0,
    max: 1000,
    description:
      'Invite links in force one room may have (listed whole); one more answers invite_link_limit until one is revoked, expires or is used up (0: no room takes any)',
    group: 'limits',
  },
  maxWebhooksPerRoom: {
    kind: 'int',
    flag: 'max-webhooks-per-room',
    env: ['PARLEY_MAX_WEBHOOKS_PER_ROOM'],
    default: 10,
    min: 0,
    max: 100,
    description:
      'Incoming webhooks one room may have (listed whole); one more answers webhook_limit until one is removed (0: no room takes any)',
    group: 'limits',
  },
  webhookBodyMaxBytes: {
    kind: 'int',
    flag: 'webhook-body-max-bytes',
    env: ['PARLEY_WEBHOOK_BODY_MAX_BYTES'],
    default: 64 * 1024,
    min: 1024,
    max: 1024 * 1024,
    description:
      "Largest request body a webhook's address reads (its JSON or form payload); a larger one answers 413 before the rest is read",
    group: 'limits',
  },
  maxSavedPerUser: {
    kind: 'int',
    flag: 'max-saved-per-user',
    env: ['PARLEY_MAX_SAVED_PER_USER'],
    default: 500,
    min: 1,
    max: 10_000,
    description:
      'Messages one user may keep saved (their private list, in every room); one more answers saved_limit until one is unsaved',
    group: 'limits',
  },
  maxDraftsPerUser: {
    kind: 'int',
    flag: 'max-drafts-per-user',
    env: ['PARLEY_MAX_DRAFTS_PER_USER'],
    default: 200,
    min: 1,
    max: 10_000,
    description:
      "Drafts one user may keep (what they typed in a room's message box and did not send, one per room, each up to --max-text-length); a draft of one more room answers draft_limit",
    group: 'limits',
  },
  maxScheduledPerUser: {
    kind: 'int',
    flag: 'max-scheduled-per-user',
    env: ['PARLEY_MAX_SCHEDULED_PER_USER'],
    default: 100,
    min: 1,
    max: 10_000,
    description:
      'Messages one user may keep scheduled to send later (pending or failed, in every room); one more answers scheduled_limit until one is sent or removed',
    group: 'limits',
  },
  scheduleMaxAheadDays: {
    kind: 'int',
    flag: 'schedule-max-ahead-days',
    env: ['PARLEY_SCHEDULE_MAX_AHEAD_DAYS'],
    default: 366,
    min: 1,
    max: 3660,
    description: 'How many days ahead a message may be scheduled, or a reminder set',
    group: 'limits',
  },
  schedulePollMs: {
    kind: 'int',
    flag: 'schedule-poll-ms',
    env: ['PARLEY_SCHEDULE_POLL_MS'],
    default: 1000,
    min: 10,
    max: 60_000,
    unit: 'ms',
    description:
      'How often each instance looks for scheduled messages whose time came (one indexed statement; up to 100 sent a round): a message is sent at most this long after its time',
    group: 'limits',
  },
  maxFollowedThreadsPerUser: {
    kind: 'int',
    flag: 'max-followed-threads-per-user',
    env: ['PARLEY_MAX_FOLLOWED_THREADS_PER_USER'],
    default: 500,
    min: 1,
    max: 10_000,
    description:
      'Threads one user may follow (their list, in every room); following one more stops following the one followed the longest ago',
    group: 'limits',
  },
  roomMentionMaxMembers: {
    kind: 'int',
    flag: 'room-mention-max-members',
    env: ['PARLEY_ROOM_MENTION_MAX_MEMBERS'],
    default: 100,
    min: 0,
    max: 10_000_000,
    description:
      "Members a room may have for any member to mention them all (@room, send's mentionsRoom); in a bigger room only its admins and owners may: beyond, forbidden",
    group: 'limits',
  },
  statusChangesPerMin: {
    kind: 'int',
    flag: 'status-changes-per-min',
    env: ['PARLEY_STATUS_CHANGES_PER_MIN'],
    default: 30,
    min: 0,
    max: 100_000,
    description:
      'Status changes (set_status) one connection may make a minute (burst a third of it; 0: no limit): each is told to every room of the user; beyond: rate_limited',
    group: 'limits',
  },
  linkPreviews: {
    kind: 'enum',
    flag: 'link-previews',
    env: ['PARLEY_LINK_PREVIEWS'],
    default: 'public',
    values: ['public', 'any', 'off'],
    description:
      'Previews of the pages messages link to (link_preview), fetched by the server. public: pages on the public internet only (never a private, loopback or link-local address, whatever a name resolves to); any: those too (a chat inside an intranet); off: none (unsupported)',
    group: 'security',
  },
  linkPreviewsPerMin: {
    kind: 'int',
    flag: 'link-previews-per-min',
    env: ['PARLEY_LINK_PREVIEWS_PER_MIN'],
    default: 120,
    min: 0,
    max: 100_000,
    description:
      'Link previews one connection may ask for a minute (burst a third of it; 0: no limit): each may fetch a page and its image; beyond: rate_limited',
    group: 'limits',
  },
  maxLinkPreviewFetches: {
    kind: 'int',
    flag: 'max-link-preview-fetches',
    env: ['PARLEY_MAX_LINK_PREVIEW_FETCHES'],
    default: 16,
    min: 1,
    max: 10_000,
    description:
      'Pages an instance fetches for previews at once (each address once, however many ask); more answer rate_limited (temporary)',
    group: 'limits',
  },
  linkPreviewTimeoutMs: {
    kind: 'int',
    flag: 'link-preview-timeout-ms',
    env: ['PARLEY_LINK_PREVIEW_TIMEOUT_MS'],
    default: 5 * SECOND,
    min: 100,
    max: MINUTE,
    unit: 'ms',
    description: 'Time a preview may take, page, redirects and image together; then it is none',
    group: 'timing',
  },
  linkPreviewPageMaxBytes: {
    kind: 'int',
    flag: 'link-preview-page-max-bytes',
    env: ['PARLEY_LINK_PREVIEW_PAGE_MAX_BYTES'],
    default: 512 * KiB,
    min: 4 * KiB,
    max: 16 * MiB,
    unit: 'bytes',
    description:
      "Bytes of a page read for its preview (after decompression; the rest is not read): a page's tags are in its head",
    group: 'limits',
  },
  linkPreviewImageMaxBytes: {
    kind: 'int',
    flag: 'link-preview-image-max-bytes',
    env: ['PARLEY_LINK_PREVIEW_IMAGE_MAX_BYTES'],
    default: 96 * KiB,
    min: 0,
    max: 16 * MiB,
    unit: 'bytes',
    description:
      'Largest image a preview shows (sent inside the answer, as base64: 4 bytes for 3; 0: no images); a larger one is left out, as is one whose answer would not fit --send-queue-max-bytes',
    group: 'limits',
  },
  linkPreviewCacheBytes: {
    kind: 'int',
    flag: 'link-preview-cache-bytes',
    env: ['PARLEY_LINK_PREVIEW_CACHE_BYTES'],
    default: 16 * MiB,
    min: 0,
    max: 1024 * MiB,
    unit: 'bytes',
    description:
      'Bytes of previews an instance keeps (an hour each; ten minutes for a page that gave none), the least recently used forgotten first',
    group: 'limits',
  },
  maxFileBytes: {
    kind: 'int',
    flag: 'max-file-bytes',
    env: ['PARLEY_MAX_FILE_BYTES'],
    default: 25 * MiB,
    min: 0,
    max: 1024 * MiB,
    unit: 'bytes',
    description:
      'Largest file a user may upload to send with a message (0: no uploads); a larger upload answers file_too_large',
    group: 'limits',
  },
  maxFilesPerMessage: {
    kind: 'int',
    flag: 'max-files-per-message',
    env: ['PARLEY_MAX_FILES_PER_MESSAGE'],
    default: 10,
    min: 1,
    max: 100,
    description: 'Most files one message may carry',
    group: 'limits',
  },
  maxFileBytesPerUser: {
    kind: 'int',
    flag: 'max-file-bytes-per-user',
    env: ['PARLEY_MAX_FILE_BYTES_PER_USER'],
    default: 1024 * MiB,
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    unit: 'bytes',
    description:
      "Bytes of files one user may keep stored (their messages' files and their uploads; 0: no limit); an upload beyond answers file_quota",
    group: 'limits',
  },
  uploadBytesPerSec: {
    kind: 'int',
    flag: 'upload-bytes-per-sec',
    env: ['PARLEY_UPLOAD_BYTES_PER_SEC'],
    default: 4 * MiB,
    min: 0,
    max: 1024 * MiB,
    unit: 'bytes',
    description:
      "Bytes of uploads one user sends per second to one instance (burst twice that; 0: no limit); beyond, the server reads the user's uploads more slowly",
    group: 'limits',
  },
  maxUploads: {
    kind: 'int',
    flag: 'max-uploads',
    env: ['PARLEY_MAX_UPLOADS'],
    default: 64,
    min: 1,
    max: 100_000,
    description:
      'Uploads in progress at once on one instance (each holds up to 128 KiB of its start to recognise images); one more answers rate_limited',
    group: 'limits',
  },
  maxDownloads: {
    kind: 'int',
    flag: 'max-downloads',
    env: ['PARLEY_MAX_DOWNLOADS'],
    default: 512,
    min: 1,
    max: 100_000,
    description:
      'Files being sent to readers at once on one instance (one that is not read holds ~100 KB); one more answers 503 with Retry-After',
    group: 'limits',
  },
  uploadIdleMs: {
    kind: 'int',
    flag: 'upload-idle-ms',
    env: ['PARLEY_UPLOAD_IDLE_MS'],
    default: 30 * SECOND,
    min: 100,
    max: 10 * MINUTE,
    unit: 'ms',
    description: 'An upload whose next bytes do not come within this time is dropped (upload_expired)',
    group: 'timing',
  },
  uploadTtlMs: {
    kind: 'int',
    flag: 'upload-ttl-ms',
    env: ['PARLEY_UPLOAD_TTL_MS'],
    default: 60 * MINUTE,
    min: SECOND,
    max: 7 * DAY,
    unit: 'ms',
    description:
      'An uploaded file not sent with a message within this time is removed (the sweep runs every quarter of it, at most every 10 minutes)',
    group: 'timing',
  },
  maxReactionsPerMessage: {
    kind: 'int',
    flag: 'max-reactions-per-message',
    env: ['PARLEY_MAX_REACTIONS_PER_MESSAGE'],
    default: 20,
    min: 1,
    max: 1000,
    description:
      'Different emoji one message may carry as reactions (each emoji counts every user; a message names the first 50)',
    group: 'limits',
  },
  maxRoomsPerUser: {
    kind: 'int',
    flag: 'max-rooms-per-user',
    env: ['PARLEY_MAX_ROOMS_PER_USER'],
    default: 1000,
    min: 1,
    max: 100_000,
    description: 'Rooms one user may belong to (the room list is read whole on connect)',
    group: 'limits',
  },
  maxInvitationsPerUser: {
    kind: 'int',
    flag: 'max-invitations-per-user',
    env: ['PARLEY_MAX_INVITATIONS_PER_USER'],
    default: 100,
    min: 1,
    max: 100_000,
    description:
      'Pending invitations one user may have (the room list carries them all); one more answers invitation_limit',
    group: 'limits',
  },
  invitationTtlDays: {
    kind: 'int',
    flag: 'invitation-ttl-days',
    env: ['PARLEY_INVITATION_TTL_DAYS'],
    default: 30,
    min: 0,
    max: 36_500,
    description:
      'Days a pending invitation lasts; then it is gone, as if withdrawn, and no longer counts against any bound (0: until accepted, declined or withdrawn)',
    group: 'limits',
  },
  maxInvitationsPerRoom: {
    kind: 'int',
    flag: 'max-invitations-per-room',
    env: ['PARLEY_MAX_INVITATIONS_PER_ROOM'],
    default: 500,
    min: 1,
    max: 100_000,
    description:
      'Pending invitations one room may have given (any user id can be invited, and nothing else bounds them); one more answers invitation_limit until some are accepted, declined or withdrawn (uninvite)',
    group: 'limits',
  },
  maxInvitationsPerInviter: {
    kind: 'int',
    flag: 'max-invitations-per-inviter',
    env: ['PARLEY_MAX_INVITATIONS_PER_INVITER'],
    default: 100,
    min: 1,
    max: 100_000,
    description:
      'Pending invitations one user may have given, in all rooms (without it, a member of many rooms could fill each to --max-invitations-per-room); one more answers invitation_limit until some are accepted, declined or withdrawn',
    group: 'limits',
  },
  membershipCacheSize: {
    kind: 'int',
    flag: 'membership-cache-size',
    env: ['PARLEY_MEMBERSHIP_CACHE_SIZE'],
    default: 100_000,
    min: 100,
    max: 10_000_000,
    description: "Users' standings in rooms (member, role, ban) kept per instance for permission checks",
    group: 'limits',
  },
  presencePageCacheRooms: {
    kind: 'int',
    flag: 'presence-page-cache-rooms',
    env: ['PARLEY_PRESENCE_PAGE_CACHE_ROOMS'],
    default: 1000,
    min: 0,
    max: 1_000_000,
    description:
      'Rooms whose encoded presence page (the users a join reply lists) is kept per instance, so the next join re-encodes only the users that changed; the least recently used go first (0: none; rooms under 16 users are never kept)',
    group: 'limits',
  },
  maxRoomsPerConnection: {
    kind: 'int',
    flag: 'max-rooms-per-connection',
    env: ['PARLEY_MAX_ROOMS_PER_CONNECTION'],
    default: 100,
    min: 1,
    max: 100_000,
    description: 'Rooms one connection may join at once',
    group: 'limits',
  },
  orderHoldMs: {
    kind: 'int',
    flag: 'order-hold-ms',
    env: ['PARLEY_ORDER_HOLD_MS'],
    default: 100,
    min: 1,
    max: 10 * SECOND,
    unit: 'ms',
    description:
      'A message that arrives before an earlier one of its room (two instances publishing at once) waits this long for it; then the gap is read from the store',
    group: 'engine',
  },
  historyPageMax: {
    kind: 'int',
    flag: 'history-page-max',
    env: ['PARLEY_HISTORY_PAGE_MAX'],
    default: 100,
    min: 1,
    max: 10_000,
    description: 'Largest history page a client may ask for (also the default page size)',
    group: 'limits',
  },
  presencePageMax: {
    kind: 'int',
    flag: 'presence-page-max',
    env: ['PARLEY_PRESENCE_PAGE_MAX'],
    default: 50,
    min: 1,
    max: 10_000,
    description:
      "Users in a join's presence sample and in a presence page, at most (a join into a big room costs this many users, not the room; also the default page size)",
    group: 'limits',
  },
  recoveryConcurrency: {
    kind: 'int',
    flag: 'recovery-concurrency',
    env: ['PARLEY_RECOVERY_CONCURRENCY'],
    default: 64,
    min: 1,
    max: 10_000,
    description:
      'Resumes (joins with since) answered at once per instance; more wait their turn, so a reconnect storm does not starve the instance',
    group: 'limits',
  },
  recoveryMaxMessages: {
    kind: 'int',
    flag: 'recovery-max-messages',
    env: ['PARLEY_RECOVERY_MAX_MESSAGES'],
    default: 1000,
    min: 0,
    max: 100_000,
    description: 'Most missed messages a resuming client gets in its join reply; beyond: recovered false',
    group: 'limits',
  },
  maxConnectionsPerUser: {
    kind: 'int',
    flag: 'max-connections-per-user',
    env: ['PARLEY_MAX_CONNECTIONS_PER_USER'],
    default: 20,
    min: 0,
    max: 1_000_000,
    description: 'Connections one user may hold on one instance (0: no limit); beyond: close 4029',
    group: 'limits',
  },
  maxConnectionsPerIp: {
    kind: 'int',
    flag: 'max-connections-per-ip',
    env: ['PARLEY_MAX_CONNECTIONS_PER_IP'],
    default: 1000,
    min: 0,
    max: 1_000_000,
    description: 'Connections from one address to one instance (0: no limit); beyond: close 4029',
    group: 'limits',
  },
  handshakesPerIpPerSec: {
    kind: 'int',
    flag: 'handshakes-per-ip-per-sec',
    env: ['PARLEY_HANDSHAKES_PER_IP_PER_SEC'],
    default: 50,
    min: 0,
    max: 1_000_000,
    description:
      'WebSocket handshakes per second from one address (burst twice that; 0: no limit); beyond: HTTP 429',
    group: 'limits',
  },
  commandsPerSec: {
    kind: 'int',
    flag: 'commands-per-sec',
    env: ['PARLEY_COMMANDS_PER_SEC'],
    default: 50,
    min: 0,
    max: 1_000_000,
    description:
      'Commands per second from one connection (burst twice that; 0: no limit); beyond: rate_limited',
    group: 'limits',
  },
  replyBytesPerSec: {
    kind: 'int',
    flag: 'reply-bytes-per-sec',
    env: ['PARLEY_REPLY_BYTES_PER_SEC'],
    default: 2_097_152,
    min: 0,
    max: 1_073_741_824,
    unit: 'bytes',
    description:
      "Bytes of replies one user's connections on an instance are answered a second (a burst of 8 seconds' worth; 0: no limit); beyond, their next command waits until the budget is back, and the connection is not read once 64 wait",
    group: 'limits',
  },
  searchesPerMin: {
    kind: 'int',
    flag: 'searches-per-min',
    env: ['PARLEY_SEARCHES_PER_MIN'],
    default: 60,
    min: 0,
    max: 1_000_000,
    description:
      'Searches per minute from one connection (a burst of a third of that, at least 1; 0: no limit); beyond: rate_limited',
    group: 'limits',
  },
  roomListsPerMin: {
    kind: 'int',
    flag: 'room-lists-per-min',
    env: ['PARLEY_ROOM_LISTS_PER_MIN'],
    default: 60,
    min: 0,
    max: 1_000_000,
    description:
      'Room lists (rooms) per minute from one connection (a burst of a third of that, at least 1; 0: no limit); beyond: rate_limited',
    group: 'limits',
  },
  userMessagesPerSec: {
    kind: 'int',
    flag: 'user-messages-per-sec',
    env: ['PARLEY_USER_MESSAGES_PER_SEC'],
    default: 10,
    min: 0,
    max: 1_000_000,
    description:
      'Messages per second from one user across all instances and connections (burst twice that; 0: no limit)',
    group: 'limits',
  },
  sendQueueMaxBytes: {
    kind: 'int',
    flag: 'send-queue-max-bytes',
    env: ['PARLEY_SEND_QUEUE_MAX_BYTES'],
    default: 1 * MiB,
    min: 1 * KiB,
    max: 1024 * MiB,
    unit: 'bytes',
    description: 'Outgoing bytes queued for one connection before it is closed as a slow consumer (4003)',
    group: 'limits',
  },
  replyMaxBytes: {
    kind: 'int',
    flag: 'reply-max-bytes',
    env: ['PARLEY_REPLY_MAX_BYTES'],
    default: 256 * KiB,
    min: 16 * KiB,
    max: 256 * MiB,
    unit: 'bytes',
    description:
      'Largest history page or join recovery sent as one reply (capped at --send-queue-max-bytes): a page is cut ' +
      'short (hasMore), a larger recovery answers recovered false and the client pages',
    group: 'limits',
  },
  writeHighWaterBytes: {
    kind: 'int',
    flag: 'write-high-water-bytes',
    env: ['PARLEY_WRITE_HIGH_WATER_BYTES'],
    default: 64 * KiB,
    min: 1 * KiB,
    max: 64 * MiB,
    unit: 'bytes',
    description: 'Bytes handed to the socket before further frames wait in the connection queue',
    group: 'limits',
  },
  typingIntervalMs: {
    kind: 'int',
    flag: 'typing-interval-ms',
    env: ['PARLEY_TYPING_INTERVAL_MS'],
    default: 1000,
    min: 0,
    max: MINUTE,
    unit: 'ms',
    description: 'Typing signals from one connection to one room closer than this are dropped',
    group: 'limits',
  },
  statsIntervalMs: {
    kind: 'int',
    flag: 'stats-interval-ms',
    env: ['PARLEY_STATS_INTERVAL_MS'],
    default: 1000,
    min: 100,
    max: MINUTE,
    unit: 'ms',
    description: 'How often a node publishes its stats to the cluster',
    group: 'timing',
  },
  presenceBatchMs: {
    kind: 'int',
    flag: 'presence-batch-ms',
    env: ['PARLEY_PRESENCE_BATCH_MS'],
    default: 1000,
    min: 0,
    max: 5000,
    unit: 'ms',
    description:
      'At most one presence_diff per room per window: a quiet room’s first change goes out at once, later ones together when the window ends (0: each at once)',
    group: 'timing',
  },
  presenceBatchMaxMs: {
    kind: 'int',
    flag: 'presence-batch-max-ms',
    env: ['PARLEY_PRESENCE_BATCH_MAX_MS'],
    default: 8000,
    min: 0,
    max: MINUTE,
    unit: 'ms',
    description:
      'While a room keeps changing, its presence window doubles after every diff up to this (a room filling up sends its members a few diffs, not one a second; at most presenceBatchMs: no doubling)',
    group: 'timing',
  },
  heartbeatIntervalMs: {
    kind: 'int',
    flag: 'heartbeat-interval-ms',
    env: ['PARLEY_HEARTBEAT_INTERVAL_MS'],
    default: 25 * SECOND,
    min: 100,
    max: 10 * MINUTE,
    unit: 'ms',
    description:
      'WebSocket ping interval; each connection is pinged once per interval, in slices spread over it (not all at once), and a peer silent for two intervals is dropped',
    group: 'timing',
  },
  handshakeTimeoutMs: {
    kind: 'int',
    flag: 'handshake-timeout-ms',
    env: ['PARLEY_HANDSHAKE_TIMEOUT_MS'],
    default: 10 * SECOND,
    min: 100,
    max: 10 * MINUTE,
    unit: 'ms',
    description:
      'Longest time to receive an HTTP request or a WebSocket upgrade, identification included; slow clients are cut within a quarter of it (at most 1 s late)',
    group: 'timing',
  },
  idleTimeoutMs: {
    kind: 'int',
    flag: 'idle-timeout-ms',
    env: ['PARLEY_IDLE_TIMEOUT_MS'],
    default: 5 * MINUTE,
    min: 0,
    max: 24 * 60 * MINUTE,
    unit: 'ms',
    description: 'A connection in no room for this long is closed with 4008 (0: never)',
    group: 'timing',
  },
  closeTimeoutMs: {
    kind: 'int',
    flag: 'close-timeout-ms',
    env: ['PARLEY_CLOSE_TIMEOUT_MS'],
    default: 5 * SECOND,
    min: 0,
    max: MINUTE,
    unit: 'ms',
    description: 'How long a closing connection may take to acknowledge before it is cut',
    group: 'timing',
  },
  shutdownTimeoutMs: {
    kind: 'int',
    flag: 'shutdown-timeout-ms',
    env: ['PARLEY_SHUTDOWN_TIMEOUT_MS'],
    default: 10 * SECOND,
    min: 0,
    max: 10 * MINUTE,
    unit: 'ms',
    description: 'Longest graceful shutdown before the process exits anyway',
    group: 'timing',
  },
  logLevel: {
    kind: 'enum',
    flag: 'log-level',
    env: ['PARLEY_LOG_LEVEL', 'LOG_LEVEL'],
    default: 'info',
    values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    description: 'Log level',
    group: 'logging',
  },
  logFormat: {
    kind: 'enum',
    flag: 'log-format',
    env: ['PARLEY_LOG_FORMAT'],
    default: 'auto',
    values: ['auto', 'json', 'pretty'],
    description: 'json, pretty, or auto (pretty on a terminal, JSON otherwise)',
    group: 'logging',
  },
} as const satisfies Record<string, OptionSpec>;

export type OptionKey = keyof typeof OptionSpecs;

/** Section titles of the option groups, in the order `--help` and docs/configuration.md list them. */
const GROUP_TITLES: Record<OptionSpec['group'], string> = {
  server: 'Server',
  security: 'Security',
  engine: 'Engine (memory by default; Redis with --redis-url)',
  limits: 'Limits',
  timing: 'Timing',
  logging: 'Logging',
};

/** The options grouped for listing (help text, configuration reference), each group with its title. */
export function optionGroups(): Array<{ title: string; options: Array<[OptionKey, OptionSpec]> }> {
  const all = Object.entries(OptionSpecs) as Array<[OptionKey, OptionSpec]>;
  return (Object.keys(GROUP_TITLES) as OptionSpec['group'][]).map((group) => ({
    title: GROUP_TITLES[group],
    options: all.filter(([, spec]) => spec.group === group),
  }));
}
