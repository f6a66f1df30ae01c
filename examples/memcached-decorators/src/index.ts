// @switchboard/example-memcached-decorators: the Memcached operator wired with
// decorators. Everything but the wiring comes from @switchboard/example-memcached.
export { MemcachedController, addMemcachedController } from './controller.js';
export { operator } from './operator.js';
