/**
 * logging: structured logs for controllers and managers.
 *
 * Every layer that logs takes a {@link Logger} and binds its own fields with
 * `child` (controller name, object key, reconcile ID), so each line says
 * which controller and which object it is about. JSON in a cluster, readable
 * text in a terminal. Depends on nothing else in the SDK.
 */
export type { Logger, LogLevel, LogFields, LogValue, LogSink, LoggerOptions } from './logger.js';
export { createLogger, silentLogger } from './logger.js';
