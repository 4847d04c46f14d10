/**
 * Applies one partition's batch of window effects atomically, exactly once: an event at or below
 * the partition's applied offset is skipped (a redelivery), an event whose id was seen recently is
 * skipped (an upstream duplicate), and the applied offset moves in the same script.
 *
 * KEYS[1] applied-offset key of the partition
 * ARGV[1] retention seconds  ARGV[2] dedupe seconds  ARGV[3] dedupe key prefix
 * ARGV[4] JSON [{id, o, ops, w: [indexKey, member, score]}]  ARGV[5] top paths kept  ARGV[6] examples kept
 */
export const APPLY_SCRIPT = `
local applied = tonumber(redis.call('GET', KEYS[1]) or '-1')
local events = cjson.decode(ARGV[4])
local retention = tonumber(ARGV[1])
local maxTop = tonumber(ARGV[5])
local maxExamples = tonumber(ARGV[6])
local touched = {}
local last = applied
local count = 0
for _, e in ipairs(events) do
  local o = tonumber(e.o)
  if o > applied then
    if o > last then last = o end
    if redis.call('SET', ARGV[3] .. e.id, '1', 'NX', 'EX', tonumber(ARGV[2])) then
      count = count + 1
      for _, op in ipairs(e.ops) do
        local t, key, field = op[1], op[2], op[3]
        touched[key] = t
        if t == 'i' then
          redis.call('HINCRBY', key, field, op[4])
        elseif t == 'f' then
          redis.call('HINCRBYFLOAT', key, field, op[4])
        elseif t == 'mn' then
          local cur = redis.call('HGET', key, field)
          if (not cur) or tonumber(cur) > op[4] then redis.call('HSET', key, field, op[4]) end
        elseif t == 'mx' then
          local cur = redis.call('HGET', key, field)
          if (not cur) or tonumber(cur) < op[4] then redis.call('HSET', key, field, op[4]) end
        elseif t == 'l' then
          local ts = redis.call('HGET', key, field .. ':ts')
          if (not ts) or tonumber(ts) <= op[5] then redis.call('HSET', key, field, op[4], field .. ':ts', op[5]) end
        elseif t == 'z' then
          redis.call('ZINCRBY', key, op[4], field)
        elseif t == 'x' then
          redis.call('LPUSH', key, field)
          redis.call('LTRIM', key, 0, maxExamples - 1)
        end
      end
      redis.call('ZADD', e.w[1], e.w[3], e.w[2])
      touched[e.w[1]] = 'index'
    end
  end
end
for key, t in pairs(touched) do
  if t == 'z' then redis.call('ZREMRANGEBYRANK', key, 0, -(maxTop + 1)) end
  redis.call('EXPIRE', key, retention)
end
redis.call('SET', KEYS[1], last)
return count
`;
