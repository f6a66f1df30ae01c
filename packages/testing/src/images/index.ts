// Images without a container engine: a reviewed catalog of images assembled
// from local files, a builder that pushes them with crane to a local OCI
// registry, and that registry, which every node's containerd uses in place of
// the public registries. See catalog.ts for what is offered and how to add to it.
export { IMAGES, OPERATOR_IMAGES, imageReferences, localRepository } from './catalog.js';
export type { ImageSpec, ImageFile, FileSource, TreeSource } from './catalog.js';
export { buildImages, findRepoRoot } from './build.js';
export { ImageBuildError } from './image-build-error.js';
export type { BuildImagesOptions, BuildImagesResult } from './build.js';
export { startRegistry, defaultRegistryStorage } from './registry.js';
export type { LocalRegistry, RegistryOptions } from './registry.js';
