/**
 * Applies the events of one experiment from one partition's batch atomically, exactly once: an
 * event at or below the applied offset is skipped (a redelivery), an event whose id was seen
 * recently is skipped (an upstream duplicate), and the applied offset moves in the same script.
 * Dedupe keys carry the experiment's rebuild generation, so a rebuild re-counts what the last
 * generation saw.
 *
 * Every key it touches carries the experiment's hash tag, so it runs on one Redis Cluster slot;
 * the store calls it once per experiment of a batch, and each call keeps its own applied offset
 * (the partition's offset key with the experiment's tag), so a batch redelivered after only some
 * of its experiments were applied is applied exactly once per experiment.
 *
 * All or nothing: Redis does not undo the writes of a script that fails half way, so every check
 * that can fail (a float sum leaving the double range) runs before the first write, and the dedupe
 * markers and the offset are written last. A refused batch returns an error and writes nothing.
 *
 * KEYS[1] applied-offset key of the partition for this experiment
 * ARGV[1] retention seconds  ARGV[2] dedupe seconds  ARGV[3] dedupe key prefix of the experiment
 * ARGV[4] JSON [{id, o, ops, w: [[indexKey, member, score], …]}]  ARGV[5] top paths kept  ARGV[6] examples kept
 * ARGV[7] the experiment's generation key  ARGV[8] paths (and endpoints) counted per path-counter hash
 * ARGV[9] "summed": ARGV[4] is instead {e: [[id, o], …], ops, w}, the batch's effects summed by
 * the caller (see summedBatch), applied only if every event is new; else the script writes nothing
 * and returns -1
 *
 * A path counter ('p') is counted only for a path its hash already counts, or while the hash counts
 * fewer than ARGV[8] (a set beside it holds them); past that its count goes to the hash's overflow.
 */
export const APPLY_SCRIPT = `
local applied = tonumber(redis.call('GET', KEYS[1]) or '-1')
local events = cjson.decode(ARGV[4])
local retention = tonumber(ARGV[1])
local maxTop = tonumber(ARGV[5])
local maxExamples = tonumber(ARGV[6])
local touched = {}
local maxPaths = tonumber(ARGV[8])
local ints, floats, mins, maxs, lasts, zs, windows, paths = {}, {}, {}, {}, {}, {}, {}, {}
local last = applied
local count = 0
local markers = {}
local generation = redis.call('GET', ARGV[7]) or '0'
local function gather(op)
  local t, key, field = op[1], op[2], op[3]
  local kf = key .. '\0' .. field
  touched[key] = t
  if t == 'i' then
    ints[kf] = (ints[kf] or 0) + op[4]
  elseif t == 'f' then
    floats[kf] = (floats[kf] or 0) + op[4]
  elseif t == 'mn' then
    if (not mins[kf]) or op[4] < mins[kf] then mins[kf] = op[4] end
  elseif t == 'mx' then
    if (not maxs[kf]) or op[4] > maxs[kf] then maxs[kf] = op[4] end
  elseif t == 'l' then
    if (not lasts[kf]) or op[5] >= lasts[kf][2] then lasts[kf] = { op[4], op[5] } end
  elseif t == 'z' then
    zs[kf] = (zs[kf] or 0) + op[4]
  elseif t == 'p' then
    paths[kf] = (paths[kf] or 0) + op[4]
  elseif t == 'x' then
    redis.call('LPUSH', key, field)
    redis.call('LTRIM', key, 0, maxExamples - 1)
  end
end
local function index(w)
  windows[w[1] .. '\0' .. w[2]] = w[3]
  touched[w[1]] = 'index'
end
if ARGV[9] == 'summed' then
  -- The batch's effects summed by the caller: taken only when every event is new, else nothing is
  -- written and -1 asks for the events one by one.
  for _, e in ipairs(events.e) do
    local o = tonumber(e[2])
    local marker = ARGV[3] .. generation .. ':' .. e[1]
    if o <= applied or markers[marker] or redis.call('EXISTS', marker) == 1 then return -1 end
    markers[marker] = true
    count = count + 1
    if o > last then last = o end
  end
  for _, op in ipairs(events.ops) do gather(op) end
  for _, w in ipairs(events.w) do index(w) end
else
  -- First gather the effects of new events, summed per key and field, then write each once.
  for _, e in ipairs(events) do
    local o = tonumber(e.o)
    if o > applied then
      if o > last then last = o end
      local marker = ARGV[3] .. generation .. ':' .. e.id
      if not markers[marker] and redis.call('EXISTS', marker) == 0 then
        markers[marker] = true
        count = count + 1
        for _, op in ipairs(e.ops) do gather(op) end
        for _, w in ipairs(e.w) do index(w) end
      end
    end
  end
end
local function split(kf)
  local i = string.find(kf, '\0', 1, true)
  return string.sub(kf, 1, i - 1), string.sub(kf, i + 1)
end
-- Checked before any write: HINCRBYFLOAT fails on a sum outside the double range, after earlier writes.
for kf, n in pairs(floats) do
  local k, f = split(kf)
  local total = (tonumber(redis.call('HGET', k, f) or '0') or 0) + n
  if total ~= total or total == math.huge or total == -math.huge then
    return redis.error_reply('FLOAT_OVERFLOW ' .. k .. ' ' .. f)
  end
end
for kf, n in pairs(ints) do local k, f = split(kf); redis.call('HINCRBY', k, f, n) end
for kf, n in pairs(floats) do local k, f = split(kf); redis.call('HINCRBYFLOAT', k, f, n) end
for kf, v in pairs(mins) do
  local k, f = split(kf)
  local cur = redis.call('HGET', k, f)
  if (not cur) or tonumber(cur) > v then redis.call('HSET', k, f, v) end
end
for kf, v in pairs(maxs) do
  local k, f = split(kf)
  local cur = redis.call('HGET', k, f)
  if (not cur) or tonumber(cur) < v then redis.call('HSET', k, f, v) end
end
for kf, v in pairs(lasts) do
  local k, f = split(kf)
  local ts = redis.call('HGET', k, f .. ':ts')
  if (not ts) or tonumber(ts) <= v[2] then redis.call('HSET', k, f, v[1], f .. ':ts', v[2]) end
end
for kf, n in pairs(zs) do local k, m = split(kf); redis.call('ZINCRBY', k, n, m) end
-- Endpoints' pair counts first: a path is then never counted for an endpoint whose pairs were refused.
local function countPaths(endpoints)
  for kf, n in pairs(paths) do
    local k, f = split(kf)
    local isEndpoint = string.sub(f, 1, 1) == 'n'
    if isEndpoint == endpoints then
      -- The three cells of a path share one member; an endpoint's pair count is a member of its own.
      local member = f
      if not isEndpoint then member = 'p' .. string.sub(f, 2) end
      local members = k .. ':members'
      if redis.call('SISMEMBER', members, member) == 1 or redis.call('SCARD', members) < maxPaths then
        redis.call('SADD', members, member)
        redis.call('HINCRBY', k, f, n)
      else
        redis.call('HINCRBY', k, 'overflow', n)
      end
      touched[members] = 'members'
    end
  end
end
countPaths(true)
countPaths(false)
for kw, score in pairs(windows) do local k, m = split(kw); redis.call('ZADD', k, score, m) end
-- Which windows this call changed, numbered per experiment, so that a reader refreshes only those
-- (window-ops.ts windowChangesKey and windowSequenceKey name the two keys by these suffixes).
local sequences = {}
for kw in pairs(windows) do
  local k, m = split(kw)
  if not sequences[k] then
    sequences[k] = redis.call('INCR', k .. ':seq')
    touched[k .. ':seq'] = 'sequence'
    touched[k .. ':touched'] = 'changes'
  end
  redis.call('ZADD', k .. ':touched', sequences[k], m)
end
for key, t in pairs(touched) do
  if t == 'z' then redis.call('ZREMRANGEBYRANK', key, 0, -(maxTop + 1)) end
  redis.call('EXPIRE', key, retention)
end
for marker in pairs(markers) do redis.call('SET', marker, '1', 'EX', tonumber(ARGV[2])) end
redis.call('SET', KEYS[1], last)
return count
`;
