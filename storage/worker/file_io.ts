/**
 * Small file-system helpers for the shard store: complete reads and writes (a single `read`/`write`
 * call may move fewer bytes than asked), directory fsync (a rename is durable only once its
 * directory is synced) and recognising a full disk.
 */

/** Writes all of `bytes` to `file`, looping over short writes. */
export async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    written += await file.write(bytes.subarray(written));
  }
}

/** Reads into `target` until it is full or the file ends; returns the number of bytes read. */
export async function readFull(file: Deno.FsFile, target: Uint8Array): Promise<number> {
  let filled = 0;
  while (filled < target.length) {
    const count = await file.read(target.subarray(filled));
    if (count === null) break;
    filled += count;
  }
  return filled;
}

/** Fsyncs a directory, making renames and unlinks inside it durable. */
export async function syncDirectory(path: string): Promise<void> {
  using directory = await Deno.open(path, { read: true });
  await directory.sync();
}

/**
 * Creates directory `path` if needed; when it had to be created, fsyncs its parent so the new entry
 * survives a crash.
 */
export async function ensureDirectory(path: string, parentPath: string): Promise<void> {
  try {
    await Deno.mkdir(path);
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return;
    throw error;
  }
  await syncDirectory(parentPath);
}

/** Removes a file; returns false when it did not exist. */
export async function removeIfExists(path: string): Promise<boolean> {
  try {
    await Deno.remove(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** True when `error` says the disk (or the quota) is full. */
export function isDiskFullError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as Error & { code?: unknown }).code;
  return code === "ENOSPC" || code === "EDQUOT" ||
    /No space left on device|quota exceeded/i.test(error.message);
}
