/**
 * Thrown when an image's inputs are all there but assembling it failed (a
 * `pnpm deploy` that pnpm refused, for example). Unlike a missing binary,
 * which skips the image until the bootstrap builds it, this is a fault: the
 * build stops and says which image and why.
 */
export class ImageBuildError extends Error {
  readonly reason = 'ImageBuildFailed';
  constructor(
    /** The image, or the workspace package it is made from. */
    readonly image: string,
    message: string,
  ) {
    super(message);
    this.name = 'ImageBuildError';
  }
}
