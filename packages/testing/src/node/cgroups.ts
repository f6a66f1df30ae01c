// A cgroup root per node, so each kubelet manages only its own pods' cgroups
// (a kubelet removes pod cgroups it does not know under its root). Works on
// cgroup v1 (one folder per mounted hierarchy, as on this machine kind) and v2.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The mount points of the cgroup hierarchies (v1: one per controller set; v2: one). */
export function cgroupMounts(): string[] {
  const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n');
  const out: string[] = [];
  for (const line of mounts) {
    const [, mountPoint, type] = line.split(' ');
    if (mountPoint && (type === 'cgroup' || type === 'cgroup2')) out.push(mountPoint);
  }
  return out;
}

/**
 * CPU weight of a node's cgroup root relative to one ordinary host process
 * (cgroup v1 cpu.shares 1024, v2 cpu.weight 100). A node's pods share their
 * root's weight among themselves, while processes outside any cgroup (test
 * runners, compilers, the control plane) each weigh 1024 on their own: at the
 * default weight, a busy host left all pods of a node a sliver of one CPU,
 * and probes and peer heartbeats timed out. Four times one process is what a
 * machine running a node and a few busy tools would give it.
 */
export const NODE_CPU_WEIGHT_FACTOR = 4;

async function raiseCpuWeight(dir: string): Promise<void> {
  const v1 = join(dir, 'cpu.shares');
  const v2 = join(dir, 'cpu.weight');
  if (existsSync(v1)) await writeFile(v1, String(1024 * NODE_CPU_WEIGHT_FACTOR));
  else if (existsSync(v2)) await writeFile(v2, String(100 * NODE_CPU_WEIGHT_FACTOR));
}

/**
 * Creates `/<name>` in every hierarchy; cpuset gets its parent's CPUs and
 * memory nodes, and the CPU controller a weight of NODE_CPU_WEIGHT_FACTOR
 * host processes.
 */
export async function createCgroupRoot(name: string): Promise<void> {
  for (const mount of cgroupMounts()) {
    const dir = join(mount, name);
    await mkdir(dir, { recursive: true });
    await raiseCpuWeight(dir).catch(() => undefined);
    for (const file of ['cpuset.cpus', 'cpuset.mems']) {
      const own = join(dir, file);
      if (!existsSync(own) || (await readFile(own, 'utf8')).trim() !== '') continue;
      await writeFile(own, await readFile(join(mount, file), 'utf8'));
    }
  }
}

/**
 * Removes `/<name>` and everything below it from every hierarchy, deepest
 * first. A cgroup still holding a process cannot be removed: those are
 * returned, so the caller can report them.
 */
export async function removeCgroupRoot(name: string): Promise<string[]> {
  const left: string[] = [];
  const remove = async (dir: string): Promise<void> => {
    let entries: string[];
    try {
      entries = (await readdir(dir, { withFileTypes: true }))
        .filter((e) => e.isDirectory())
        .map((e) => e.name);
    } catch {
      return;
    }
    for (const e of entries) await remove(join(dir, e));
    try {
      await rmdir(dir);
    } catch {
      if (existsSync(dir)) left.push(dir);
    }
  };
  for (const mount of cgroupMounts()) await remove(join(mount, name));
  return left;
}
