// The cache layer: stores and shared informers fed by watch streams.
//
// A `Store` holds the objects of one kind, deep-frozen so user code cannot
// corrupt it, with indexes (namespace built in; custom ones such as
// `byOwnerUid` or `byLabel`). An `Informer` feeds a store from `watchList`
// and tells handlers about adds, updates (old and new) and deletes (with the
// last state), with a `synced` signal and an optional resync period; by
// default it drops managedFields to keep memory down. An `InformerFactory`
// shares one informer per kind and selection among all controllers, and a
// `CacheReader` serves reconcilers' get/list from those informers (or live).
//
// Built on the watch layer; the controller layer builds on this one.

export { Store, NAMESPACE_INDEX, byOwnerUid, byLabel } from './store.js';
export type { StoreReader, StoreListOptions, IndexFunc } from './store.js';
export { Informer, dropManagedFields } from './informer.js';
export type { InformerHandler, InformerOptions } from './informer.js';
export { InformerFactory } from './informer-factory.js';
export type { InformerSelection, InformerFactoryOptions } from './informer-factory.js';
export { CacheReader } from './cache-reader.js';
export type { CacheGetOptions, CacheListOptions } from './cache-reader.js';
export { parseLabelSelector } from './label-selector.js';
export type { LabelSelector } from './label-selector.js';
