/**
 * manager: runs controllers as one process.
 *
 * A {@link Manager} owns the client, the shared informers (cache layer), a
 * per-manager metrics registry, leader election on a coordination.k8s.io
 * Lease, the /metrics, /healthz and /readyz endpoints, and the ordered start
 * and time-bounded, reverse-order stop on SIGTERM / SIGINT
 * ({@link shutdownSignal}). Controllers are wired with its `controller()`
 * builder (controller layer). {@link LeaderElector} is usable alone.
 */
export type { ManagerOptions } from './manager.js';
export { Manager } from './manager.js';
export type { Lease, LeaderElectionOptions } from './leader-election.js';
export { LeaderElector, LeaderElectionLostError } from './leader-election.js';
export type { HealthCheck } from './probe-server.js';
export type { ShutdownSignalOptions } from './signals.js';
export { shutdownSignal } from './signals.js';
export type {
  OperatorCommand,
  OperatorFlag,
  OperatorFlagValues,
  OperatorMainSpec,
  ParsedOperatorArgs,
} from './operator-main.js';
export { operatorMain, operatorUsage, OperatorUsageError, parseOperatorArgs } from './operator-main.js';
