// Figure 4b: the work queue alone. N distinct keys are added, then taken and
// marked done one by one: the same loop as the Go subject's.
import { WorkQueue } from '@switchboard/core';
import { emit } from './protocol.js';
import type { SubjectOptions } from './protocol.js';

export async function switchboardQueue(o: SubjectOptions): Promise<void> {
  const n = o.items ?? 100_000;
  const keys = Array.from({ length: n }, (_, i) => `bench/cm-${i}`);
  const run = async (): Promise<number> => {
    const queue = new WorkQueue<string>();
    const start = performance.now();
    for (const k of keys) queue.add(k);
    for (let i = 0; i < n; i++) {
      const k = await queue.get();
      if (k === undefined) throw new Error('queue shut down early');
      queue.done(k);
    }
    const seconds = (performance.now() - start) / 1000;
    queue.shutdown();
    return n / seconds;
  };
  await run(); // warm-up: let the JIT see the loop once, as the Go side is compiled ahead
  emit({ event: 'result', itemsPerSec: await run() });
}
