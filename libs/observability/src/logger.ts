import { type LoggerService } from '@nestjs/common';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export interface LineSink {
  write(line: string): unknown;
}

/** Structured JSON logs, one object a line: ts, level, service, msg and the given fields. */
export class JsonLogger implements Logger, LoggerService {
  constructor(
    private readonly base: LogFields,
    private readonly level: LogLevel = 'info',
    private readonly sink: LineSink = process.stdout,
    private readonly clock: () => number = Date.now,
  ) {}

  child(fields: LogFields): JsonLogger {
    return new JsonLogger({ ...this.base, ...fields }, this.level, this.sink, this.clock);
  }

  debug(msg: string, fields?: LogFields): void {
    this.emit('debug', msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.emit('info', msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.emit('warn', msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.emit('error', msg, fields);
  }

  /** Nest's LoggerService entry points: the optional last argument is the context. */
  log(message: unknown, ...rest: unknown[]): void {
    this.emit('info', String(message), nestContext(rest));
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.emit('debug', String(message), nestContext(rest));
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.emit('error', String(message), nestContext(rest));
  }

  private emit(level: LogLevel, msg: string, fields?: LogFields): void {
    if (RANK[level] < RANK[this.level]) return;
    const record: LogFields = { ts: new Date(this.clock()).toISOString(), level, ...this.base, msg, ...serializeErrors(fields) };
    this.sink.write(`${safeStringify(record)}\n`);
  }
}

function nestContext(rest: unknown[]): LogFields | undefined {
  const context = rest[rest.length - 1];
  return typeof context === 'string' ? { context } : undefined;
}

const MAX_CAUSES = 5;

/** An error as a log field: its code, retriable flag and context, and its chain of causes (bounded). */
function serializeError(err: Error, depth = 0): LogFields {
  const own = err as Error & { code?: unknown; retriable?: unknown; context?: unknown; cause?: unknown };
  return {
    name: err.name,
    message: err.message,
    ...(own.code !== undefined ? { code: own.code } : {}),
    ...(typeof own.retriable === 'boolean' ? { retriable: own.retriable } : {}),
    ...(own.context !== undefined ? { context: own.context } : {}),
    stack: err.stack,
    ...(own.cause instanceof Error && depth < MAX_CAUSES ? { cause: serializeError(own.cause, depth + 1) } : own.cause !== undefined ? { cause: String(own.cause) } : {}),
  };
}

function serializeErrors(fields?: LogFields): LogFields | undefined {
  if (!fields) return undefined;
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) out[k] = v instanceof Error ? serializeError(v) : v;
  return out;
}

function safeStringify(record: LogFields): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(record, (_k, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[circular]';
      seen.add(v);
    }
    return v;
  });
}

/** For tests and tools that must stay quiet. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
