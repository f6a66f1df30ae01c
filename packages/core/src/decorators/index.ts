/**
 * decorators: class-based controllers for those who like them.
 *
 * `@Controller({ for })`, `@Owns`, `@Watches`, `@Reconcile` and
 * `@Finalizer` record declarations with reflect-metadata;
 * {@link buildDecoratedController} replays them as one `ControllerBuilder`
 * call (controller layer), so both styles share one implementation and are
 * equal in power.
 */
export type { ControllerDecoratorOptions, FinalizerMethod } from './decorators.js';
export {
  Controller,
  Owns,
  Watches,
  Reconcile,
  Finalizer,
  buildDecoratedController,
  DecoratorError,
} from './decorators.js';
