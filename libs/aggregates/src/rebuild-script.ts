/**
 * Starts a rebuild of one experiment atomically with respect to the live aggregator: deletes the
 * experiment's windows and path counters (of every rollup), bumps its generation (so dedupe keys start afresh) and reads the live
 * group's applied offsets, all in one script. Every live update is therefore either in the
 * returned offsets (and replayed by the rebuild) or after them (and applied live), never both.
 *
 * KEYS[1] window index  KEYS[2] generation key  KEYS[3..] the live group's applied-offset keys of this experiment (in its slot)
 * ARGV[1] key prefix of a window ("<prefix>agg:{<experiment>}:")
 * Returns [generation, offset of KEYS[3], offset of KEYS[4], …] (-1 where nothing was applied).
 */
export const WIPE_SCRIPT = `
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
for _, m in ipairs(members) do
  local slice, start = string.match(m, '^(.*)|(%d+)$')
  local base = ARGV[1] .. slice .. ':' .. start
  local paths = redis.call('ZRANGE', base .. ':top', 0, -1)
  for _, p in ipairs(paths) do redis.call('DEL', base .. ':ex:' .. p) end
  redis.call('DEL', base, base .. ':top')
end
redis.call('DEL', KEYS[1])
for _, rollup in ipairs({ '*', '~replay', '~corpus' }) do
  local paths = ARGV[1] .. 'paths:' .. rollup
  redis.call('DEL', paths, paths .. ':members', paths .. ':flagged', paths .. ':decided')
end
local result = { redis.call('INCR', KEYS[2]) }
for i = 3, #KEYS do
  result[#result + 1] = redis.call('GET', KEYS[i]) or '-1'
end
return result
`;
