// Entry point of a Node subject process: `node --expose-gc main.js <mode> '<options JSON>'`.
import { clientNodeSync, rawList, switchboardSync } from './sync.js';
import { clientNodeWatch, rawWatch, switchboardWatch } from './watch.js';
import { rawStatus, switchboardReconcile, switchboardStatus } from './reconcile.js';
import { switchboardQueue } from './queue.js';
import type { SubjectOptions } from './protocol.js';

const modes: Record<string, (o: SubjectOptions) => Promise<void>> = {
  'switchboard-sync': switchboardSync,
  'client-node-sync': clientNodeSync,
  'raw-list': rawList,
  'switchboard-watch': switchboardWatch,
  'client-node-watch': clientNodeWatch,
  'raw-watch': rawWatch,
  'switchboard-reconcile': switchboardReconcile,
  'switchboard-status': switchboardStatus,
  'raw-status': rawStatus,
  'switchboard-queue': switchboardQueue,
};

const [mode = '', json = '{}'] = process.argv.slice(2);
const run = modes[mode];
if (!run) {
  console.error(`unknown mode ${mode}; one of ${Object.keys(modes).join(', ')}`);
  process.exit(2);
}
run(JSON.parse(json) as SubjectOptions).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
