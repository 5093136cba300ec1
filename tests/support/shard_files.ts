/** Looks at worker data dirs from tests: lists shard files, temp files and quarantined files. */

/** Paths of files directly or indirectly under `dir` (empty when it does not exist). */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) out.push(...await listFiles(path));
      else out.push(path);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return out;
}

/** Every complete shard file of the cluster's workers. */
export async function shardFiles(workerDirs: readonly string[]): Promise<string[]> {
  return (await Promise.all(workerDirs.map((dir) => listFiles(`${dir}/shards`)))).flat().sort();
}

/** Every file in the workers' temp dirs (writes in progress or leftovers). */
export async function tempFiles(workerDirs: readonly string[]): Promise<string[]> {
  return (await Promise.all(workerDirs.map((dir) => listFiles(`${dir}/tmp`)))).flat();
}

/** Every quarantined file. */
export async function quarantinedFiles(workerDirs: readonly string[]): Promise<string[]> {
  return (await Promise.all(workerDirs.map((dir) => listFiles(`${dir}/quarantine`)))).flat();
}

/** Polls `condition` every 100 ms until it holds or `timeoutMs` passes (then fails with `message`). */
export async function waitFor(
  condition: () => Promise<boolean>,
  timeoutMs: number,
  message: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Timed out after ${timeoutMs} ms: ${message}`);
}

/** One complete shard file: which worker dir holds it, and which shard of which data id it is. */
export interface ShardLocation {
  readonly path: string;
  readonly workerDir: string;
  readonly dataId: string;
  readonly shardIndex: number;
}

/** Every complete shard file of `workerDirs`, parsed from its path (`<dir>/shards/xx/<dataId>.<index>`). */
export async function shardLocations(workerDirs: readonly string[]): Promise<ShardLocation[]> {
  const out: ShardLocation[] = [];
  for (const workerDir of workerDirs) {
    for (const path of await listFiles(`${workerDir}/shards`)) {
      const [dataId, index] = path.slice(path.lastIndexOf("/") + 1).split(".");
      out.push({ path, workerDir, dataId, shardIndex: Number(index) });
    }
  }
  return out.sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}
