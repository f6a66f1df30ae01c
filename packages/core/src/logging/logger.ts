/**
 * Structured logging: one line per event, fields as key/value pairs. JSON in
 * a cluster (for log collectors), `time level msg key=value` in a terminal.
 */

/** Severity, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Values a log field may hold; errors are expanded to message and type. */
export type LogValue = string | number | boolean | null | undefined | Error | readonly unknown[] | object;

/** Key/value pairs attached to a line. */
export type LogFields = Readonly<Record<string, LogValue>>;

/** A structured logger. `child` returns one that adds `fields` to every line. */
export interface Logger {
  /** Detail for debugging; dropped below `LOG_LEVEL=debug`. */
  debug(msg: string, fields?: LogFields): void;
  /** What happened, for people running the operator. */
  info(msg: string, fields?: LogFields): void;
  /** Something went wrong and was handled. */
  warn(msg: string, fields?: LogFields): void;
  /** Something went wrong and was not handled. */
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line it writes. */
  child(fields: LogFields): Logger;
}

/** Where lines go: anything with `write` (process.stderr by default). */
export interface LogSink {
  /** Takes one formatted line, newline included. */
  write(line: string): unknown;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Lines below this level are dropped. Default `info` (or `LOG_LEVEL` env). */
  level?: LogLevel;
  /**
   * `json`, `text`, or `auto` (default): JSON when running in a cluster
   * (`KUBERNETES_SERVICE_HOST` set) or when the sink is not a terminal.
   */
  format?: 'json' | 'text' | 'auto';
  /** Destination. Default `process.stderr`. */
  sink?: LogSink;
  /** Time source in ms; injected in tests. Default `Date.now`. */
  now?: () => number;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

function isLevel(v: string | undefined): v is LogLevel {
  return v !== undefined && v in ORDER;
}

function normalize(value: LogValue): unknown {
  if (value instanceof Error) {
    const out: Record<string, unknown> = { message: value.message, type: value.name };
    const reason = (value as { reason?: unknown }).reason;
    if (typeof reason === 'string') out['reason'] = reason;
    return out;
  }
  return value;
}

function textValue(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
  if (value !== null && typeof value === 'object') {
    const e = value as { message?: unknown; type?: unknown };
    if (typeof e.message === 'string' && typeof e.type === 'string')
      return JSON.stringify(`${e.type}: ${e.message}`);
    return JSON.stringify(value);
  }
  return String(value);
}

class StructuredLogger implements Logger {
  constructor(
    private readonly min: number,
    private readonly json: boolean,
    private readonly sink: LogSink,
    private readonly now: () => number,
    private readonly bound: LogFields,
  ) {}

  debug(msg: string, fields?: LogFields): void {
    this.log('debug', msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.log('info', msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.log('warn', msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.log('error', msg, fields);
  }

  child(fields: LogFields): Logger {
    return new StructuredLogger(this.min, this.json, this.sink, this.now, { ...this.bound, ...fields });
  }

  private log(level: LogLevel, msg: string, fields?: LogFields): void {
    if (ORDER[level] < this.min) return;
    const all: Record<string, unknown> = {};
    for (const [k, v] of Object.entries({ ...this.bound, ...fields }))
      if (v !== undefined) all[k] = normalize(v);
    const ts = new Date(this.now()).toISOString();
    if (this.json) {
      this.sink.write(JSON.stringify({ ts, level, msg, ...all }) + '\n');
      return;
    }
    const kv = Object.entries(all)
      .map(([k, v]) => `${k}=${textValue(v)}`)
      .join(' ');
    this.sink.write(`${ts} ${level.toUpperCase().padEnd(5)} ${msg}${kv === '' ? '' : ' ' + kv}\n`);
  }
}

/**
 * Creates a logger.
 *
 * @example
 * const log = createLogger({ format: 'text' }).child({ controller: 'memcached' });
 * log.info('reconciled', { key: 'default/web', reconcileID: id });
 */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const envLevel = process.env['LOG_LEVEL'];
  const level = opts.level ?? (isLevel(envLevel) ? envLevel : 'info');
  const sink = opts.sink ?? process.stderr;
  const format = opts.format ?? 'auto';
  const tty = (sink as { isTTY?: unknown }).isTTY === true;
  const json =
    format === 'json' ||
    (format === 'auto' && (process.env['KUBERNETES_SERVICE_HOST'] !== undefined || !tty));
  return new StructuredLogger(ORDER[level], json, sink, opts.now ?? Date.now, {});
}

/** A logger that drops everything (the default where none is given in tests). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};
