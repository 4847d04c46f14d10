/** Every default the Kafka seam applies when an option is left out, in one place. */
export const KAFKA_DEFAULTS = {
  client: {
    /** One broker request's time bound. @default 30000 */
    requestTimeoutMs: 30_000,
    /** The client's own bounded retries of a failed request. @default 8 attempts, 200 ms to 10 s apart */
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 10_000 },
  },
  consumer: {
    /** How long the group waits for a silent member before rebalancing. @default 30000 */
    sessionTimeoutMs: 30_000,
    /** @default 3000 */
    heartbeatIntervalMs: 3_000,
    /** Largest fetch per partition; a record larger than this could never be fetched. @default 16 MiB */
    maxBytesPerPartition: 16 * 1024 * 1024,
    /** Partitions handled at once by one consumer. @default 1 */
    partitionsConsumedConcurrently: 1,
    /** @default 5 */
    retries: 5,
    /** The most records handed to one handler call. @default 500 */
    maxRecordsPerCall: 500,
  },
  producer: {
    /** Bounded retries of a failed send inside the client. @default 8 */
    retries: 8,
    /** A transaction left open longer than this is aborted by the broker. @default 60000 */
    transactionTimeoutMs: 60_000,
  },
  reader: {
    /** Reading a topic to its end gives up after this long. @default 120000 */
    timeoutMs: 120_000,
    /** @default 10000 */
    sessionTimeoutMs: 10_000,
  },
} as const;
