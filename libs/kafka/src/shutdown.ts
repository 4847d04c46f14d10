import { type Logger } from '@penumbra/observability';

export interface Stoppable {
  name: string;
  stop(): Promise<void>;
}

/**
 * On SIGTERM or SIGINT, stops each part in order (consumers first, so the batch in hand
 * finishes and commits, then producers and connections), bounded by a deadline.
 */
export function stopOnSignals(parts: Stoppable[], logger: Logger, options: { deadlineMs?: number; exit?: (code: number) => void } = {}): () => Promise<void> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> => {
    stopping ??= (async () => {
      for (const part of parts) {
        try {
          await part.stop();
          logger.info('stopped', { part: part.name });
        } catch (err) {
          logger.error('stop failed', { part: part.name, err });
        }
      }
    })();
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info('shutting down', { signal });
    const deadline = setTimeout(() => {
      logger.error('shutdown deadline passed; exiting with work unfinished (it will be redelivered)', { deadlineMs: options.deadlineMs ?? 30_000 });
      exit(1);
    }, options.deadlineMs ?? 30_000);
    deadline.unref();
    stopAll().then(
      () => exit(0),
      () => exit(1),
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  return stopAll;
}
