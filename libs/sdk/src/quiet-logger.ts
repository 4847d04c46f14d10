import { type Logger } from '@penumbra/observability';

/**
 * The default when no logger is given. Declared here rather than taken from the observability
 * library so that an application embedding the SDK does not load its Nest module at run time.
 */
export const quietLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => quietLogger,
};
