/**
 * The Redis queue's steps, each one Lua script: Redis runs a script atomically, so a step is
 * whole or not at all, whoever else enqueues or processes at the same time (issue 11).
 *
 * Keys (all `{prefix}:…`, one hash tag, so one cluster slot):
 *   rec    HASH  id -> the session's record, JSON {s,e,a,n,d?,err?,b?,l?,o?,t?}
 *               (status q/c/s/d, enqueuedAt, attempts, notBefore, doneAt, lastError,
 *                claim batch, lease, owner, ttl)
 *   x      HASH  id -> payload JSON, compact (redis-payload.ts): feature values as the enqueuer
 *               wrote them (never re-encoded), their names once per set in `keys`
 *   r      HASH  id -> final result JSON, as the processor serialised it
 *   fp     HASH  id -> replay fingerprint (base64), for the enqueue-time replay index
 *   ready  ZSET  queued sessions due now, by enqueuedAt (ties by id: claim order)
 *   wait   ZSET  queued sessions waiting out a retry backoff, by notBefore
 *   lease  ZSET  claimed sessions, by lease end (an expired one is due: its holder died)
 *   done   ZSET  scored and dead sessions, by doneAt (retention, `clear --processed`)
 *   all    ZSET  every session, by enqueuedAt (listing, `clear --older-than`)
 *   n      HASH  counts kept by the scripts: scored, dead, retrying
 *   meta   HASH  lastBatch, lastSuccess (JSON), lifetime totals, f:<kind>, rc:<status>
 *   w      HASH  watcher id -> heartbeat JSON
 *   arch   HASH  id "\n" n -> archived session (record, payload, result, archivedAt: one per
 *               line); n counts archivings (meta archseq), so a session archived twice has two
 *   archt  ZSET  arch's fields by archivedAt
 *   keys   HASH  names id -> feature names (JSON array), one entry per feature set
 *
 * Times come from the caller (ARGV), as on the file backend: one clock per host, leases
 * stamped with their length so a clock running ahead is bounded (plans.ts, planBoundLeases).
 * Numbers in records are milliseconds below 2^53; cjson writes them with 14 digits, exact up
 * to the year 5138.
 */
export const KEY_NAMES = [
  "rec",
  "x",
  "r",
  "fp",
  "ready",
  "wait",
  "lease",
  "done",
  "all",
  "n",
  "meta",
  "w",
  "arch",
  "archt",
  "keys",
] as const;

const HEAD = `
local REC, X, R, FP, READY, WAIT, LEASE, DONE, ALL, N, META, W, ARCH, ARCHT = unpack(KEYS)
local function getrec(id)
  local j = redis.call('HGET', REC, id)
  if j then return cjson.decode(j) end
  return nil
end
local function putrec(id, r) redis.call('HSET', REC, id, cjson.encode(r)) end
local function held(r, batch) return r ~= nil and r.s == 'c' and r.b == batch end
local function unclaim(id, r)
  r.b = nil; r.l = nil; r.o = nil; r.t = nil
  redis.call('ZREM', LEASE, id)
end
local function requeue(id, r, now)
  r.s = 'q'
  if r.n <= now then redis.call('ZADD', READY, r.e, id) else redis.call('ZADD', WAIT, r.n, id) end
  if r.a > 0 then redis.call('HINCRBY', N, 'retrying', 1) end
end
-- Sessions whose backoff ended move to READY (each moves once: amortised O(log n)).
local function promote(now)
  while true do
    local ids = redis.call('ZRANGEBYSCORE', WAIT, '-inf', now, 'LIMIT', 0, 500)
    if #ids == 0 then return end
    for _, id in ipairs(ids) do
      local r = getrec(id)
      if r then redis.call('ZADD', READY, r.e, id) end
    end
    redis.call('ZREM', WAIT, unpack(ids))
    if #ids < 500 then return end
  end
end
-- A lease further ahead than now + its own length (+ slack) was stamped by a clock running
-- ahead: bounded to now + its length. Looks at live leases only.
local function bound(now, slack, defttl)
  local ids = redis.call('ZRANGEBYSCORE', LEASE, '(' .. (now + slack), '+inf')
  local n = 0
  for _, id in ipairs(ids) do
    local r = getrec(id)
    local ttl = math.max(0, r.t or defttl)
    if r.l > now + ttl + slack then
      r.l = now + ttl; r.t = ttl
      putrec(id, r)
      redis.call('ZADD', LEASE, r.l, id)
      n = n + 1
    end
  end
  return n
end
-- Due now, oldest first: READY's head and expired leases (and, with \`waiting\`, backoffs that
-- ended but were not moved to READY yet), merged by (enqueuedAt, id).
local function duelist(now, max, waiting)
  local c = {}
  if max <= 0 then return c end
  local ready = redis.call('ZRANGE', READY, 0, max - 1, 'WITHSCORES')
  for i = 1, #ready, 2 do c[#c + 1] = { id = ready[i], e = tonumber(ready[i + 1]), ready = true } end
  local others = redis.call('ZRANGEBYSCORE', LEASE, '-inf', now, 'LIMIT', 0, max)
  if waiting then
    for _, id in ipairs(redis.call('ZRANGEBYSCORE', WAIT, '-inf', now, 'LIMIT', 0, max)) do
      others[#others + 1] = id
    end
  end
  for _, id in ipairs(others) do
    local r = getrec(id)
    c[#c + 1] = { id = id, e = r.e, r = r }
  end
  table.sort(c, function(a, b)
    if a.e ~= b.e then return a.e < b.e end
    return a.id < b.id
  end)
  while #c > max do table.remove(c) end
  return c
end
-- Takes a session out of every structure, archived first when asked; returns 1 if archived.
local function drop(id, now, archive)
  local j = redis.call('HGET', REC, id)
  if not j then return 0 end
  local r = cjson.decode(j)
  local kept = 0
  if archive then
    local x = redis.call('HGET', X, id) or ''
    local res = redis.call('HGET', R, id) or ''
    -- One entry each time the session leaves (it may be queued again and leave again): the
    -- id, a newline (never in an id) and a sequence number, so no earlier record is replaced.
    local entry = id .. '\\n' .. redis.call('HINCRBY', META, 'archseq', 1)
    redis.call('HSET', ARCH, entry, j .. '\\n' .. x .. '\\n' .. res .. '\\n' .. now)
    redis.call('ZADD', ARCHT, now, entry)
    kept = 1
  end
  redis.call('HDEL', REC, id); redis.call('HDEL', X, id); redis.call('HDEL', R, id)
  redis.call('HDEL', FP, id)
  redis.call('ZREM', READY, id); redis.call('ZREM', WAIT, id); redis.call('ZREM', LEASE, id)
  redis.call('ZREM', DONE, id); redis.call('ZREM', ALL, id)
  if r.s == 's' then redis.call('HINCRBY', N, 'scored', -1)
  elseif r.s == 'd' then redis.call('HINCRBY', N, 'dead', -1)
  elseif r.s == 'q' and r.a > 0 then redis.call('HINCRBY', N, 'retrying', -1) end
  return kept
end
`;

/** ARGV: at, then (id, payload JSON, fingerprint or '') per session. Returns {accepted, dups}. */
const ENQUEUE = `
local at = tonumber(ARGV[1])
local rec = '{"s":"q","e":' .. ARGV[1] .. ',"a":0,"n":0}'
local acc, dup = {}, {}
for i = 2, #ARGV, 3 do
  local id = ARGV[i]
  if redis.call('HSETNX', REC, id, rec) == 1 then
    redis.call('HSET', X, id, ARGV[i + 1])
    if ARGV[i + 2] ~= '' then redis.call('HSET', FP, id, ARGV[i + 2]) end
    redis.call('ZADD', READY, at, id)
    redis.call('ZADD', ALL, at, id)
    acc[#acc + 1] = id
  else
    dup[#dup + 1] = id
  end
end
return { acc, dup }
`;

/**
 * ARGV: now, max, lease, owner, batch, ttl, slack, default ttl. Returns (id, rec, payload, fp)*.
 */
const CLAIM = `
local now, max, lease = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local owner, batch, ttl = ARGV[4], ARGV[5], tonumber(ARGV[6])
bound(now, tonumber(ARGV[7]), tonumber(ARGV[8]))
promote(now)
local out = {}
for _, c in ipairs(duelist(now, max, false)) do
  local r = c.r or getrec(c.id)
  if c.ready then
    redis.call('ZREM', READY, c.id)
    if r.a > 0 then redis.call('HINCRBY', N, 'retrying', -1) end
  end
  r.s = 'c'; r.b = batch; r.l = lease; r.o = owner; r.t = ttl
  putrec(c.id, r)
  redis.call('ZADD', LEASE, lease, c.id)
  out[#out + 1] = c.id
  out[#out + 1] = cjson.encode(r)
  out[#out + 1] = redis.call('HGET', X, c.id)
  out[#out + 1] = redis.call('HGET', FP, c.id)
end
return out
`;

/** ARGV: now, max. What claims would take now (`--dry-run`): (id, rec, payload, fp)*. Read-only. */
const DUE = `
local now, max = tonumber(ARGV[1]), tonumber(ARGV[2])
local out = {}
for _, c in ipairs(duelist(now, max, true)) do
  local id = c.id
  out[#out + 1] = id
  out[#out + 1] = redis.call('HGET', REC, id)
  out[#out + 1] = redis.call('HGET', X, id)
  out[#out + 1] = redis.call('HGET', FP, id)
end
return out
`;

/** ARGV: batch, now, lease, ids... Returns how many leases it extended. */
const RENEW = `
local batch, now, lease = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local n = 0
for i = 4, #ARGV do
  local id = ARGV[i]
  local r = getrec(id)
  if held(r, batch) then
    r.l = lease; r.t = lease - now
    putrec(id, r)
    redis.call('ZADD', LEASE, lease, id)
    n = n + 1
  end
end
return n
`;

/**
 * ARGV: batch, now, batch record JSON, then
 *   k, (id, result JSON, dead reason or '')*k,
 *   m, (notBefore, reason, j, ids*j)*m,
 *   release reason, j, ids*j.
 * Returns {recorded, lost, retried, released}.
 */
const SETTLE = `
local batch, now, record = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local recorded, lost, retried, released = {}, {}, {}, {}
local i = 4
local k = tonumber(ARGV[i]); i = i + 1
for _ = 1, k do
  local id, text, dead = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  i = i + 3
  local r = getrec(id)
  if held(r, batch) then
    unclaim(id, r)
    r.d = now
    if dead ~= '' then
      r.s = 'd'; r.err = dead; r.a = r.a + 1
      redis.call('HINCRBY', N, 'dead', 1); redis.call('HINCRBY', META, 'tdead', 1)
    else
      r.s = 's'; r.err = nil
      redis.call('HINCRBY', N, 'scored', 1); redis.call('HINCRBY', META, 'tscored', 1)
    end
    putrec(id, r)
    redis.call('HSET', R, id, text)
    redis.call('ZADD', DONE, now, id)
    recorded[#recorded + 1] = id
  else
    lost[#lost + 1] = id
  end
end
local m = tonumber(ARGV[i]); i = i + 1
for _ = 1, m do
  local nb, reason, j = tonumber(ARGV[i]), ARGV[i + 1], tonumber(ARGV[i + 2])
  i = i + 3
  for q = i, i + j - 1 do
    local id = ARGV[q]
    local r = getrec(id)
    if held(r, batch) then
      unclaim(id, r)
      r.a = r.a + 1; r.n = nb; r.err = reason
      requeue(id, r, now)
      putrec(id, r)
      redis.call('HINCRBY', META, 'tretries', 1)
      retried[#retried + 1] = id
    end
  end
  i = i + j
end
local reason, j = ARGV[i], tonumber(ARGV[i + 1])
i = i + 2
for q = i, i + j - 1 do
  local id = ARGV[q]
  local r = getrec(id)
  if held(r, batch) then
    unclaim(id, r)
    r.err = reason
    requeue(id, r, now)
    putrec(id, r)
    released[#released + 1] = id
  end
end
local b = cjson.decode(record)
redis.call('HSET', META, 'lastBatch', record)
if b.outcome == 'scored' then redis.call('HSET', META, 'lastSuccess', record) end
redis.call('HINCRBY', META, 'batches', 1)
if type(b.kind) == 'string' then redis.call('HINCRBY', META, 'f:' .. b.kind, 1) end
if type(b.retriedCalls) == 'table' then
  for status, count in pairs(b.retriedCalls) do
    redis.call('HINCRBY', META, 'rc:' .. status, count)
  end
end
return { recorded, lost, retried, released }
`;

/** ARGV: now, slack, default ttl. */
const BOUND = `return bound(tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]))`;

/**
 * ARGV: now. Returns sessions, ready, waiting, claimed, expired leases, scored, dead, retrying,
 * the oldest due enqueuedAt ('' when none), META and W as flat field/value lists.
 */
const SUMMARY = `
local now = tonumber(ARGV[1])
promote(now)
local oldest = ''
local head = redis.call('ZRANGE', READY, 0, 0, 'WITHSCORES')
if head[2] then oldest = tonumber(head[2]) end
local expired = redis.call('ZRANGEBYSCORE', LEASE, '-inf', now)
for _, id in ipairs(expired) do
  local r = getrec(id)
  if oldest == '' or r.e < oldest then oldest = r.e end
end
local function count(f) return tonumber(redis.call('HGET', N, f) or '0') end
return {
  redis.call('HLEN', REC), redis.call('ZCARD', READY), redis.call('ZCARD', WAIT),
  redis.call('ZCARD', LEASE), #expired, count('scored'), count('dead'), count('retrying'),
  tostring(oldest), redis.call('HGETALL', META), redis.call('HGETALL', W)
}
`;

/** ARGV: ids... Returns (rec, payload, result, fp) per id; false where absent. Read-only. */
const FIND = `
local out = {}
for i = 1, #ARGV do
  local id = ARGV[i]
  out[#out + 1] = redis.call('HGET', REC, id)
  out[#out + 1] = redis.call('HGET', X, id)
  out[#out + 1] = redis.call('HGET', R, id)
  out[#out + 1] = redis.call('HGET', FP, id)
end
return out
`;

/**
 * ARGV: now, mode ('processed' | 'all'), cutoff ('' for none), retention cutoff ('' for
 * none), archive ('1' | '0'), limit (0: all). Removes what `clear` matches plus results past
 * retention, archived first. Returns removed, archived, sessions left.
 */
const REMOVE = `
local now, mode, cutoff, keepUntil = tonumber(ARGV[1]), ARGV[2], ARGV[3], ARGV[4]
local archive, limit = ARGV[5] == '1', tonumber(ARGV[6])
local ids = {}
local function add(list) for _, id in ipairs(list) do ids[#ids + 1] = id end end
local lim = {}
if limit > 0 then lim = { 'LIMIT', 0, limit } end
if mode == 'processed' then
  add(redis.call('ZRANGEBYSCORE', DONE, '-inf', cutoff ~= '' and cutoff or '+inf', unpack(lim)))
elseif mode == 'all' then
  if cutoff == '' and not archive then
    -- Everything, nothing to archive: the keys go at once (UNLINK frees them in the background).
    local n = redis.call('HLEN', REC)
    redis.call('UNLINK', REC, X, R, FP, READY, WAIT, LEASE, DONE, ALL, N)
    return { n, 0, 0 }
  end
  add(redis.call('ZRANGEBYSCORE', ALL, '-inf', cutoff ~= '' and cutoff or '+inf', unpack(lim)))
end
if keepUntil ~= '' then add(redis.call('ZRANGEBYSCORE', DONE, '-inf', keepUntil, unpack(lim))) end
local removed, archived = 0, 0
local seen = {}
for _, id in ipairs(ids) do
  if not seen[id] then
    seen[id] = true
    if redis.call('HEXISTS', REC, id) == 1 then
      removed = removed + 1
      archived = archived + drop(id, now, archive)
    end
  end
end
return { removed, archived, redis.call('HLEN', REC) }
`;

/** ARGV: now, mode, cutoff (as REMOVE). How many `clear` would remove. Read-only. */
const COUNT_REMOVABLE = `
local mode, cutoff = ARGV[2], ARGV[3]
local upto = cutoff ~= '' and cutoff or '+inf'
if mode == 'processed' then return redis.call('ZCOUNT', DONE, '-inf', upto) end
if cutoff == '' then return redis.call('HLEN', REC) end
return redis.call('ZCOUNT', ALL, '-inf', upto)
`;

/**
 * ARGV: now, then (id, record JSON, payload JSON, result JSON or '', fingerprint or '') per
 * session (`migrate`). A session already held is left alone. Returns {accepted, dups}.
 */
const IMPORT = `
local now = tonumber(ARGV[1])
local acc, dup = {}, {}
for i = 2, #ARGV, 5 do
  local id = ARGV[i]
  if redis.call('HSETNX', REC, id, ARGV[i + 1]) == 1 then
    local r = cjson.decode(ARGV[i + 1])
    redis.call('HSET', X, id, ARGV[i + 2])
    if ARGV[i + 3] ~= '' then redis.call('HSET', R, id, ARGV[i + 3]) end
    if ARGV[i + 4] ~= '' then redis.call('HSET', FP, id, ARGV[i + 4]) end
    redis.call('ZADD', ALL, r.e, id)
    if r.s == 'q' then
      requeue(id, r, now)
    elseif r.s == 's' or r.s == 'd' then
      redis.call('ZADD', DONE, r.d, id)
      redis.call('HINCRBY', N, r.s == 's' and 'scored' or 'dead', 1)
    end
    acc[#acc + 1] = id
  else
    dup[#dup + 1] = id
  end
end
return { acc, dup }
`;

/** ARGV: id, watcher JSON or '' (stopped). */
const HEARTBEAT = `
if ARGV[2] == '' then redis.call('HDEL', W, ARGV[1]) else redis.call('HSET', W, ARGV[1], ARGV[2]) end
return 1
`;

export const SCRIPTS = {
  ppEnqueue: ENQUEUE,
  ppClaim: CLAIM,
  ppDue: DUE,
  ppRenew: RENEW,
  ppSettle: SETTLE,
  ppBound: BOUND,
  ppSummary: SUMMARY,
  ppFind: FIND,
  ppRemove: REMOVE,
  ppCountRemovable: COUNT_REMOVABLE,
  ppHeartbeat: HEARTBEAT,
  ppImport: IMPORT,
} as const;

export type ScriptName = keyof typeof SCRIPTS;

/** A script with the shared functions in front (Lua ignores the ones it does not call). */
export function scriptSource(name: ScriptName): string {
  return `${HEAD}\n${SCRIPTS[name]}`;
}
