// `switchboard image build|list`: the local cluster's images, assembled from
// local files and pushed to the local registry (see @switchboard/testing's
// images catalog).
import { buildImages, IMAGES, imageReferences } from '@switchboard/testing';

import { line, progress, UsageError } from '../output.js';

export const imageHelp = `Usage: switchboard image <build|list> [NAME...] [--force]

  build    assemble the catalog's images (or the named ones) and push them to the local registry
  list     print every image reference the local cluster offers, one a line

Options:
  --force  rebuild even when nothing changed
`;

export async function imageCommand(args: readonly string[], options: { force: boolean }): Promise<void> {
  const [verb, ...names] = args;
  switch (verb) {
    case 'list':
      for (const ref of imageReferences()) process.stdout.write(`${ref}\n`);
      return;
    case 'build': {
      const unknown = names.filter((n) => !IMAGES.some((i) => i.name === n));
      if (unknown.length > 0) {
        throw new UsageError(
          `unknown image ${unknown.join(', ')}; known: ${IMAGES.map((i) => i.name).join(', ')}`,
        );
      }
      const images = names.length > 0 ? IMAGES.filter((i) => names.includes(i.name)) : IMAGES;
      const started = Date.now();
      const result = await buildImages({ images, force: options.force, onProgress: progress('image') });
      // An image asked for by name is needed: skipping it is a failure.
      if (names.length > 0 && result.skipped.length > 0) {
        throw new Error(result.skipped.map((s) => `image ${s.name} cannot be built: ${s.reason}`).join('\n'));
      }
      if (result.built.length > 0 || result.skipped.length > 0) {
        line(
          'image',
          `${result.built.length} built, ${result.upToDate.length} up to date, ${result.skipped.length} skipped ` +
            `in ${((Date.now() - started) / 1000).toFixed(1)} s`,
        );
      }
      return;
    }
    default:
      throw new UsageError(`unknown image command ${verb ? `"${verb}"` : '(none)'}\n\n${imageHelp}`);
  }
}
