/** Every default the SDK applies when an option is left out, in one place. */
export const SDK_DEFAULTS = {
  experiment: {
    /** Share of calls that run the candidate. @default 1 */
    sampleRate: 1,
    /** The candidate's time bound. @default 2000 */
    timeoutMs: 2_000,
    /** Candidates running at once. @default 32 */
    maxInFlight: 32,
    /** The endpoint pairs are reported under. @default 'sdk' */
    endpoint: 'sdk',
    /** Largest result, as JSON, published whole. @default 1 MiB */
    maxBodyBytes: 1024 * 1024,
  },
  pairPublisher: {
    /** Pairs sent in one produce request. @default 500 */
    maxBatch: 500,
    /** How long a pair may wait for others to fill a batch. @default 20 */
    lingerMs: 20,
    /** Pairs waiting to be sent before new ones are refused. @default 10000 */
    maxQueued: 10_000,
  },
  commandFollower: {
    /** Command ids remembered, so a redelivered command is applied once. @default 10000 */
    rememberIds: 10_000,
    /** A command older than this is applied but not acknowledged. @default 600000 (10 minutes) */
    ackWithinMs: 600_000,
    /** The follower's consumer group session. @default 10000 */
    sessionTimeoutMs: 10_000,
  },
  webhook: {
    /** One POST's time bound. @default 5000 */
    timeoutMs: 5_000,
    /** Bounded retries of a failed POST. @default 5 attempts, 200 ms to 5 s apart */
    retry: { attempts: 5, initialDelayMs: 200, maxDelayMs: 5_000 },
  },
  connect: {
    /** Time bound for connecting to a broker. @default 10000 */
    connectionTimeoutMs: 10_000,
  },
} as const;
