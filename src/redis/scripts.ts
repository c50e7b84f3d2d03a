/**
 * The Lua scripts of the Redis engine. Each runs atomically on the Redis node owning the room's slot; every key
 * a script touches is passed in KEYS (all of one room, so one slot).
 */
import { createHash } from 'node:crypto';

/** A Lua script with its SHA1, for EVALSHA. */
export interface LuaScript {
  readonly name: string;
  readonly source: string;
  readonly sha: string;
}

function script(name: string, source: string): LuaScript {
  return { name, source, sha: createHash('sha1').update(source).digest('hex') };
}

/** Shared prologue: the room's epoch, creating the stream anew (new epoch) when its meta is gone. */
const ENSURE_EPOCH = `
local epoch = redis.call('HGET', KEYS[1], 'e')
local fresh = not epoch
if fresh then
  epoch = ARGV[1]
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'e', epoch, 'o', 0)
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
`;

/** Shared prologue: the room's epoch and offset (see ENSURE_EPOCH). */
const ENSURE_STREAM = `${ENSURE_EPOCH}
local offset = 0
if not fresh then offset = tonumber(redis.call('HGET', KEYS[1], 'o')) end
`;

/** Shared: take one token of a bucket (hash t = tokens, ts = last refill ms). Returns 0 or the ms to wait. */
const TAKE_TOKEN = `
local function take(key, rate, burst, now)
  local state = redis.call('HMGET', key, 't', 'ts')
  local tokens = tonumber(state[1]) or burst
  local last = tonumber(state[2]) or now
  tokens = math.min(burst, tokens + math.max(0, now - last) * rate / 1000)
  if tokens < 1 then return math.ceil((1 - tokens) * 1000 / rate) end
  redis.call('HSET', key, 't', tokens - 1, 'ts', now)
  redis.call('PEXPIRE', key, math.ceil(burst * 1000 / rate) + 1000)
  return 0
end
`;

/**
 * Publish: idempotency check, next offset, XADD with MAXLEN, TTLs, PUBLISH, in one step.
 * KEYS: meta, stream, idempotency key, channel.
 * ARGV: epoch candidate, history ttl ms, history size, idempotency window ms, JSON head, JSON tail, publish command
 * ('' to store without publishing), then, with a fifth key (the sender's rate bucket, single Redis only): rate per
 * second, burst, now.
 * Returns {0, offset, epoch} (the caller has the rest of the message), {1, original message JSON} for a duplicate,
 * or {2, ms to wait} when rate-limited.
 */
export const publishScript = script(
  'publish',
  // The epoch only: the offset comes from HINCRBY (one nested call less per message, the hot path's script).
  `${ENSURE_EPOCH}${TAKE_TOKEN}
local seen = redis.call('GET', KEYS[3])
if seen then return {1, seen} end
if KEYS[5] then
  local wait = take(KEYS[5], tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10]))
  if wait > 0 then return {2, tostring(wait)} end
end
local offset = redis.call('HINCRBY', KEYS[1], 'o', 1)
local message = ARGV[5] .. offset .. ',"epoch":"' .. epoch .. '"' .. ARGV[6]
local size = tonumber(ARGV[3])
if size > 0 then
  redis.call('XADD', KEYS[2], 'MAXLEN', size, offset .. '-0', 'm', message)
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('SET', KEYS[3], message, 'PX', ARGV[4])
if ARGV[7] ~= '' then redis.call(ARGV[7], KEYS[4], 'm' .. message) end
return {0, offset, epoch}
`,
);

/**
 * Read a page of history with the room's position and earliest retained offset.
 * KEYS: meta, stream. ARGV: epoch candidate, history ttl ms, after (or ''), before (or ''), limit.
 * Returns {epoch, offset, earliest, forward (0|1), message JSON...}.
 */
export const readScript = script(
  'read',
  `${ENSURE_STREAM}
local earliest = offset + 1
local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
if #first > 0 then earliest = tonumber(string.match(first[1][1], '^(%d+)')) end
local startId = '-'
local endId = '+'
if ARGV[3] ~= '' then startId = (tonumber(ARGV[3]) + 1) .. '-0' end
if ARGV[4] ~= '' then
  local before = tonumber(ARGV[4])
  if before <= 1 then return {epoch, offset, earliest, 1} end
  endId = (before - 1) .. '-0'
end
local entries
local forward = 0
if ARGV[3] ~= '' then
  forward = 1
  entries = redis.call('XRANGE', KEYS[2], startId, endId, 'COUNT', ARGV[5])
else
  entries = redis.call('XREVRANGE', KEYS[2], endId, startId, 'COUNT', ARGV[5])
end
local out = {epoch, offset, earliest, forward}
for _, entry in ipairs(entries) do out[#out + 1] = entry[2][2] end
return out
`,
);

/**
 * Forget an empty room: deletes the meta (and any stale stream) of a room that has no message and no presence
 * entry on any instance. KEYS: meta, stream, presence conns. Returns 1 when the room was forgotten.
 */
export const forgetEmptyScript = script(
  'forget-empty',
  `
if redis.call('HGET', KEYS[1], 'o') ~= '0' then return 0 end
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
return 1
`,
);

/** Position: KEYS meta, stream; ARGV epoch candidate, history ttl ms. Returns {epoch, offset}. */
export const positionScript = script('position', `${ENSURE_STREAM}\nreturn {epoch, offset}\n`);

/**
 * Presence keys of a room, in every presence script: KEYS[1] conns (conn → user JSON), KEYS[2] owners (conn →
 * instance), KEYS[3] users (user id → connection count). The keys live while the room has entries: Redis
 * deletes a hash when its last field goes, and dead instances' entries are swept, so nothing needs a TTL.
 */

/** Shared: remove one connection's entry (its JSON in \`json\`), appending the user JSON to \`left\` when it was the user's last. */
const DROP_CONN = `
local function drop(conn, json, left)
  redis.call('HDEL', KEYS[1], conn)
  redis.call('HDEL', KEYS[2], conn)
  local id = cjson.decode(json)['id']
  if redis.call('HINCRBY', KEYS[3], id, -1) <= 0 then
    redis.call('HDEL', KEYS[3], id)
    left[#left + 1] = json
  end
end
`;

/**
 * Presence add. ARGV: conn, user id, user JSON, owning instance. Returns 1 when it is the user's first connection
 * in the room. Adding a present connection again changes nothing.
 */
export const presenceAddScript = script(
  'presence-add',
  `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[3]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])
if redis.call('HINCRBY', KEYS[3], ARGV[2], 1) == 1 then return 1 end
return 0
`,
);

/** Presence remove. ARGV: conn. Returns {left (0|1), user JSON} or nil. */
export const presenceRemoveScript = script(
  'presence-remove',
  `${DROP_CONN}
local json = redis.call('HGET', KEYS[1], ARGV[1])
if not json then return nil end
local left = {}
drop(ARGV[1], json, left)
if #left > 0 then return {1, json} end
return {0, json}
`,
);

/** Removes a dead instance's entries from one room. ARGV: instance. Returns the JSON of users who left. */
export const presenceDropInstanceScript = script(
  'presence-drop-instance',
  `${DROP_CONN}
local owners = redis.call('HGETALL', KEYS[2])
local left = {}
for i = 1, #owners, 2 do
  if owners[i + 1] == ARGV[1] then
    local json = redis.call('HGET', KEYS[1], owners[i])
    if json then drop(owners[i], json, left) else redis.call('HDEL', KEYS[2], owners[i]) end
  end
end
return left
`,
);

/** Entries of a room. KEYS: conns, owners. Returns {instance, user JSON, ...}: the caller keeps live instances'. */
export const presenceEntriesScript = script(
  'presence-entries',
  `
local owners = redis.call('HGETALL', KEYS[2])
local out = {}
for i = 1, #owners, 500 do
  local conns = {}
  for j = i, math.min(i + 498, #owners), 2 do conns[#conns + 1] = owners[j] end
  local values = redis.call('HMGET', KEYS[1], unpack(conns))
  for k, v in ipairs(values) do
    if v then
      out[#out + 1] = owners[i + (k - 1) * 2 + 1]
      out[#out + 1] = v
    end
  end
end
return out
`,
);

/**
 * A room's user count and a sample of its entries: KEYS as {@link presenceEntriesScript} plus KEYS[3] users (user →
 * connection count); ARGV[1] the sample size. Scans the owners hash a page at a time until it has twice the sample in
 * entries (a user's several connections repeat them) or the hash ends: O(sample), whatever the room's size. Returns
 * [count, owner, user JSON, owner, user JSON, ...]; the caller skips dead owners and repeated users.
 */
export const presenceSampleScript = script(
  'presence-sample',
  `
local limit = tonumber(ARGV[1])
local out = { redis.call('HLEN', KEYS[3]) }
local cursor = '0'
if limit == 0 then return out end
repeat
  local page = redis.call('HSCAN', KEYS[2], cursor, 'COUNT', limit)
  cursor = page[1]
  local found = page[2]
  if #found > 0 then
    local conns = {}
    for j = 1, #found, 2 do conns[#conns + 1] = found[j] end
    local values = redis.call('HMGET', KEYS[1], unpack(conns))
    for k, v in ipairs(values) do
      if v then
        out[#out + 1] = found[k * 2]
        out[#out + 1] = v
      end
    end
  end
until cursor == '0' or #out > limit * 4
return out
`,
);

/**
 * Registry keys, in both registry scripts: KEYS[1] users (user → instance count), KEYS[2] rooms (room → instance
 * count), KEYS[3] the instance's user set, KEYS[4] the instance's room set, KEYS[5] the instance sorted set.
 */
const COUNTED = `
local function add(set, counts, member)
  if redis.call('SADD', set, member) == 1 then redis.call('HINCRBY', counts, member, 1) end
end
local function remove(set, counts, member)
  if redis.call('SREM', set, member) == 1 and redis.call('HINCRBY', counts, member, -1) <= 0 then
    redis.call('HDEL', counts, member)
  end
end
`;

/**
 * Applies one instance's changes of users and rooms since its last report. ARGV: number of users added, of users
 * removed, of rooms added, then the users added, users removed, rooms added, rooms removed. Returns the sizes of
 * the instance's user and room sets afterwards (the caller resends everything when they disagree with its own).
 */
export const registrySyncScript = script(
  'registry-sync',
  `${COUNTED}
local ua, ur, ra = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local i = 4
for _ = 1, ua do add(KEYS[3], KEYS[1], ARGV[i]); i = i + 1 end
for _ = 1, ur do remove(KEYS[3], KEYS[1], ARGV[i]); i = i + 1 end
for _ = 1, ra do add(KEYS[4], KEYS[2], ARGV[i]); i = i + 1 end
while i <= #ARGV do remove(KEYS[4], KEYS[2], ARGV[i]); i = i + 1 end
return {redis.call('SCARD', KEYS[3]), redis.call('SCARD', KEYS[4])}
`,
);

/** Removes an instance (dead, or leaving) and its users and rooms from the counts. ARGV: instance. Idempotent. */
export const registryDropScript = script(
  'registry-drop',
  `${COUNTED}
for _, user in ipairs(redis.call('SMEMBERS', KEYS[3])) do remove(KEYS[3], KEYS[1], user) end
for _, room in ipairs(redis.call('SMEMBERS', KEYS[4])) do remove(KEYS[4], KEYS[2], room) end
redis.call('ZREM', KEYS[5], ARGV[1])
return 1
`,
);

/** Rate check alone (Redis Cluster, where the bucket is in another slot). KEYS: bucket. ARGV: rate, burst, now. */
export const takeTokenScript = script(
  'take-token',
  `${TAKE_TOKEN}
return take(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]))
`,
);

/**
 * Recent window (database in front): adds committed messages and publishes them, in one step, for one or more
 * rooms (several only on a single Redis: on a cluster every key of one call must be in one slot).
 * KEYS: per room its window meta, window and channel. ARGV: publish command, window size, ttl ms, then per room
 * the number of its messages and, per message, offset, epoch, JSON; then the offset of its newest action among
 * them (0: none) and the number of messages that action changed and, per message, offset, JSON. A message of
 * another epoch than the meta's (or with no meta: flushed, expired) starts the room's window anew.
 *
 * The meta's `m` is the newest action published: a changed message replaces its copy when its action is newer,
 * and drops it otherwise (two instances' publications crossed: the database refills it); a message older than
 * `m` published late is not added (its copy might predate the action), and a fill read before `m` adds nothing.
 */
export const windowPublishScript = script(
  'window-publish',
  `
local size = tonumber(ARGV[2])
local a = 4
for k = 1, #KEYS, 3 do
  local meta, window, channel = KEYS[k], KEYS[k + 1], KEYS[k + 2]
  local count = tonumber(ARGV[a])
  a = a + 1
  -- The meta is read once and written once per room (not per message): the position is kept here meanwhile.
  local known = redis.call('HMGET', meta, 'e', 'o', 'm')
  local e, o, m = known[1], tonumber(known[2]) or 0, tonumber(known[3]) or 0
  local moved = false
  for _ = 1, count do
    local offset, epoch, json = tonumber(ARGV[a]), ARGV[a + 1], ARGV[a + 2]
    a = a + 3
    if e ~= epoch then
      redis.call('DEL', meta, window)
      e, o, m, moved = epoch, offset, 0, true
    elseif o < offset then
      o, moved = offset, true
    end
    if size > 0 and offset > m then redis.call('ZADD', window, offset, json) end
    redis.call(ARGV[1], channel, 'm' .. json)
  end
  if moved then redis.call('HSET', meta, 'e', e, 'o', o) end
  local action, changed = tonumber(ARGV[a]), tonumber(ARGV[a + 1])
  a = a + 2
  if changed > 0 and size > 0 then
    local late = action < m
    if not late then redis.call('HSET', meta, 'm', action) end
    for _ = 1, changed do
      local offset, json = tonumber(ARGV[a]), ARGV[a + 1]
      if redis.call('ZCOUNT', window, offset, offset) > 0 then
        redis.call('ZREMRANGEBYSCORE', window, offset, offset)
        if not late then redis.call('ZADD', window, offset, json) end
      end
      a = a + 2
    end
  else
    a = a + 2 * changed
  end
  if size > 0 then
    redis.call('ZREMRANGEBYRANK', window, 0, -size - 1)
    redis.call('PEXPIRE', window, ARGV[3])
  end
  redis.call('PEXPIRE', meta, ARGV[3])
end
return 1
`,
);

/**
 * Recent window read: the meta and the entries a page needs (the range computed as in pageFromWindow).
 * KEYS: window meta, window. ARGV: after (or ''), before (or ''), limit.
 * Returns {} without meta, {epoch, offset} without a known earliest, else {epoch, offset, earliest, JSON...}.
 */
export const windowReadScript = script(
  'window-read',
  `
local meta = redis.call('HMGET', KEYS[1], 'e', 'o', 'f')
if not meta[1] then return {} end
if not meta[3] then return {meta[1], meta[2]} end
local o, f, limit = tonumber(meta[2]), tonumber(meta[3]), tonumber(ARGV[3])
local b = o + 1
if ARGV[2] ~= '' then b = math.min(b, tonumber(ARGV[2])) end
local from, to
if ARGV[1] ~= '' then
  from = math.max(tonumber(ARGV[1]) + 1, f)
  to = math.min(b - 1, from + limit - 1)
else
  from = math.max(b - limit, f)
  to = b - 1
end
local out = {meta[1], meta[2], meta[3]}
if to >= from then
  for _, json in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], from, to)) do out[#out + 1] = json end
end
return out
`,
);

/**
 * Recent window fill from a database read. KEYS: window meta, window. ARGV: epoch, offset, earliest (or ''),
 * window size, ttl ms, then offset, JSON pairs. The database is the authority: another epoch resets the window,
 * and the read's messages replace their copies, unless an action newer than the read was published (meta `m`).
 */
export const windowFillScript = script(
  'window-fill',
  `
if redis.call('HGET', KEYS[1], 'e') ~= ARGV[1] then
  redis.call('DEL', KEYS[1], KEYS[2])
  redis.call('HSET', KEYS[1], 'e', ARGV[1], 'o', ARGV[2])
elseif tonumber(redis.call('HGET', KEYS[1], 'o')) < tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], 'o', ARGV[2])
end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'f', ARGV[3]) end
local size = tonumber(ARGV[4])
if size > 0 and #ARGV > 5 and tonumber(ARGV[2]) >= (tonumber(redis.call('HGET', KEYS[1], 'm')) or 0) then
  for i = 6, #ARGV, 2 do
    redis.call('ZREMRANGEBYSCORE', KEYS[2], ARGV[i], ARGV[i])
    redis.call('ZADD', KEYS[2], ARGV[i], ARGV[i + 1])
  end
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -size - 1)
  redis.call('PEXPIRE', KEYS[2], ARGV[5])
end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
`,
);
