export interface PenumbraErrorOptions {
  code: string;
  retriable: boolean;
  context?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * Every error Penumbra raises on purpose: a stable code to match on, whether trying again can
 * help, and the context needed to act on it.
 */
export class PenumbraError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  readonly context: Record<string, unknown>;

  constructor(message: string, options: PenumbraErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.retriable = options.retriable;
    this.context = options.context ?? {};
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, retriable: this.retriable, message: this.message, context: this.context };
  }
}

/** Invalid configuration: never retriable; the message names the variable and what it expects. */
export class ConfigError extends PenumbraError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super(message, { code: 'CONFIG_INVALID', retriable: false, context });
  }
}

/** Input that cannot succeed as given (a rule, a key, a file): the message names it and what to fix. */
export class InvalidInputError extends PenumbraError {
  constructor(message: string, code: string, context: Record<string, unknown> = {}, cause?: unknown) {
    super(message, { code, retriable: false, context, cause });
  }
}

/** A dependency (broker, Redis, HTTP peer) did not answer; trying again later may help. */
export class UnavailableError extends PenumbraError {
  constructor(message: string, context: Record<string, unknown> = {}, cause?: unknown) {
    super(message, { code: 'DEPENDENCY_UNAVAILABLE', retriable: true, context, cause });
  }
}

/** Whether an error says that trying again may help: ours by flag, foreign ones by their own flag. */
export function isRetriable(err: unknown): boolean {
  if (err instanceof PenumbraError) return err.retriable;
  if (typeof err === 'object' && err !== null && 'retriable' in err) return (err as { retriable: unknown }).retriable === true;
  return false;
}

export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
