import { z } from 'zod';
import { envBool, envEnum, envHeaderMap, envInt, envOptionalString, envString } from './env';
import { credentialEnvShape, httpEnvShape, kafkaEnvShape, redisEnvShape, refineKafkaSecurity } from './infrastructure';

const base = {
  ...kafkaEnvShape,
  ...redisEnvShape,
  ...httpEnvShape,
  ...credentialEnvShape,
  INSTANCE_ID: envOptionalString(),
  /** The operators' public keys (JSON: keys[].keyId, operator, roles, publicKey PEM; optional permissions): experiments and control requests they did not sign are refused. */
  PENUMBRA_OPERATOR_KEYS_FILE: envOptionalString(),
};

/** One schema per service, parsed once at start. */
export const serviceEnvSchemas = {
  'traffic-mirror': z
    .object({
      ...base,
      MIRROR_MAX_SOCKETS_PER_TARGET: envInt(64, { min: 1, max: 10_000 }),
      MIRROR_PARTITIONS_CONCURRENTLY: envInt(4, { min: 1, max: 256 }),
      /** Where a new consumer group starts on the traffic topic: latest skips traffic captured before the first start. */
      MIRROR_START_FROM: envEnum(['latest', 'earliest'], 'latest'),
      /**
       * Where replays may go: hosts (`*.svc.cluster.local` too), CIDRs or http(s) URL prefixes, comma-separated.
       * Unset: anywhere but loopback, link-local and metadata addresses, which must always be listed to be used.
       */
      MIRROR_ALLOWED_TARGETS: envOptionalString(),
      /** How often the per-experiment counts (matched, mirrored, skipped by reason) are published as metric.v1 events. */
      MIRROR_COUNTS_INTERVAL_MS: envInt(10_000, { min: 100, max: 3_600_000 }),
      /** An extra input topic in GoReplay's Kafka JSON format; unset to read only the traffic topic. */
      GOREPLAY_TOPIC: envOptionalString(),
      GOREPLAY_SERVICE: envString('default'),
      GOREPLAY_WINDOW_MS: envInt(10_000, { min: 100, max: 600_000 }),
      GOREPLAY_MAX_PENDING: envInt(50_000, { min: 10, max: 10_000_000 }),
      /** The most bytes the halves waiting for their other half may hold; past it the oldest are evicted and dead-lettered. */
      GOREPLAY_MAX_PENDING_BYTES: envInt(64 * 1024 * 1024, { min: 1024 * 1024, max: 16 * 1024 * 1024 * 1024 }),
      /** A request or response body larger than this is dead-lettered at once, with its other half. */
      GOREPLAY_MAX_BODY_BYTES: envInt(1024 * 1024, { min: 1024, max: 1024 * 1024 * 1024 }),
      /** header:attribute pairs, such as x-tenant:tenant,x-region:region */
      GOREPLAY_ATTRIBUTE_HEADERS: envHeaderMap(),
    })
    .superRefine(refineKafkaSecurity),
  comparator: z
    .object({ ...base, COMPARATOR_MAX_BODY_BYTES: envInt(10 * 1024 * 1024, { min: 1024 }), COMPARATOR_MAX_JSON_DEPTH: envInt(1000, { min: 1, max: 1_000_000 }) })
    .superRefine(refineKafkaSecurity),
  aggregator: z
    .object({
      ...base,
      AGGREGATOR_WINDOW_MS: envInt(10_000, { min: 100, max: 3_600_000 }),
      AGGREGATOR_RETENTION_MS: envInt(7 * 24 * 3_600_000, { min: 60_000 }),
      AGGREGATOR_PARTIAL_SNAPSHOT_MS: envInt(2_000, { min: 100, max: 600_000 }),
      AGGREGATOR_REBUILD_ON_START: envBool(true),
      /** How long an event id is remembered to drop upstream duplicates. */
      AGGREGATOR_DEDUPE_MS: envInt(15 * 60_000, { min: 1_000 }),
      /** Events stamped further ahead than this are dead-lettered: their windows would never close. */
      AGGREGATOR_MAX_SKEW_MS: envInt(5 * 60_000, { min: 1_000, max: 7 * 24 * 3_600_000 }),
      /** Events older than this are dead-lettered; 0 keeps every retained event (a rebuild replays them). */
      AGGREGATOR_MAX_AGE_MS: envInt(0, { min: 0 }),
      /** The most windows tracked for snapshots at once; past it an alert is raised and new windows wait. */
      AGGREGATOR_MAX_TRACKED_WINDOWS: envInt(10_000, { min: 10, max: 1_000_000 }),
      /** Slices one experiment may have (slice values come from request headers); past it new ones count in its (other) slice, alerted. */
      AGGREGATOR_MAX_SLICES_PER_EXPERIMENT: envInt(100, { min: 1, max: 100_000 }),
      /** At most one cap-reached alert per experiment for its slices in this interval. */
      AGGREGATOR_CAP_ALERT_INTERVAL_MS: envInt(5 * 60_000, { min: 1_000, max: 24 * 3_600_000 }),
    })
    .superRefine(refineKafkaSecurity),
  sentinel: z
    .object({
      ...base,
      /** The sentinel's Ed25519 command signing key (JSON: keyId, privateKey PEM); required. */
      SENTINEL_SIGNING_KEY_FILE: envOptionalString(),
      /** The public keys of command appliers (JSON: keys[].keyId, publicKey PEM); only their signed acks clear deadlines. */
      SENTINEL_APPLIER_KEYS_FILE: envOptionalString(),
      /** Further trusted command keys (JSON: keys[].keyId, publicKey PEM), during a rotation. */
      PENUMBRA_COMMAND_KEYS_FILE: envOptionalString(),
      SENTINEL_EVALUATE_INTERVAL_MS: envInt(2_000, { min: 100, max: 600_000 }),
      SENTINEL_ACK_TIMEOUT_MS: envInt(60_000, { min: 1_000 }),
      /** Raise a stalled alert when an experiment gets no new samples for this long. */
      SENTINEL_STALLED_MS: envInt(5 * 60_000, { min: 1_000 }),
      /** Must equal the aggregator's: the sentinel reads its windows. */
      AGGREGATOR_WINDOW_MS: envInt(10_000, { min: 100, max: 3_600_000 }),
    })
    .superRefine(refineKafkaSecurity),
  'audit-sink': z
    .object({
      ...base,
      AUDIT_TRANSACTIONAL_ID: envString('penumbra-audit-sink'),
      AUDIT_REDACT_DEFAULT: envBool(true),
      /** Records the history index holds in memory; past it, the least recently written experiments are read from the topic on demand. */
      AUDIT_INDEX_MAX_RECORDS: envInt(500_000, { min: 100, max: 50_000_000 }),
      /** Chain heads the index holds; past it, the least recently written are read back from the topic when their experiment writes again. */
      AUDIT_INDEX_MAX_HEADS: envInt(200_000, { min: 1_000, max: 50_000_000 }),
      /** The audit-sink's Ed25519 key (JSON: keyId, privateKey PEM) that signs checkpoints of the chain heads; required. */
      AUDIT_SIGNING_KEY_FILE: envOptionalString(),
      /** A chain is checkpointed once this many records were written past its last checkpoint… */
      AUDIT_CHECKPOINT_EVERY_RECORDS: envInt(1_000, { min: 1, max: 1_000_000 }),
      /** …and every chain written since its last checkpoint, at this interval. */
      AUDIT_CHECKPOINT_INTERVAL_MS: envInt(10_000, { min: 100, max: 3_600_000 }),
      /** The sentinel's public keys: a command none of them signed is audited with its actor marked unverified. */
      PENUMBRA_COMMAND_KEYS_FILE: envOptionalString(),
      /** The appliers' public keys: likewise for acknowledgements. */
      SENTINEL_APPLIER_KEYS_FILE: envOptionalString(),
    })
    .superRefine(refineKafkaSecurity),
  console: z
    .object({
      ...base,
      /** Who may log in (JSON: users[].name, token of 32+ characters, operator); required: the console has no anonymous access. */
      CONSOLE_USERS_FILE: z.string({ error: 'required: a JSON file of users (name, token, operator)' }).min(1, 'required: a JSON file of users (name, token, operator)'),
      /** The operator keys the console signs control requests with, one per operator; unset: control requests are refused. */
      PENUMBRA_OPERATOR_KEY_FILE: envOptionalString(),
      /** How often the console looks for changes to push to open pages. */
      CONSOLE_PUSH_INTERVAL_MS: envInt(1_000, { min: 200, max: 60_000 }),
      /** Open event streams at once; past it a new one is refused with 503. */
      CONSOLE_MAX_STREAMS: envInt(100, { min: 1, max: 10_000 }),
      /** Must equal the aggregator's: the console reads its windows. */
      AGGREGATOR_WINDOW_MS: envInt(10_000, { min: 100, max: 3_600_000 }),
    })
    .superRefine(refineKafkaSecurity),
} as const;

export type ServiceName = keyof typeof serviceEnvSchemas;
export type ServiceEnv<S extends ServiceName> = z.infer<(typeof serviceEnvSchemas)[S]>;
