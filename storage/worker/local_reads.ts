/**
 * Local shard reads: a gateway on the same host as a worker reads that worker's shard files straight from
 * the disk instead of over HTTP, the way a storage server reads its own drives and only reaches remote ones
 * through the network. Only reads go local; writes, deletes and quarantines stay with the worker.
 *
 * Proof of a shared filesystem: at start the worker writes a random token into its data directory and names
 * the directory and the token in its health answer. A gateway that reads the same token at that path sees
 * the worker's files, and from then on opens shard files itself (until a health check fails or the answer
 * changes). A gateway on another host, in another container or without permission finds no such file, and
 * keeps using HTTP. The worker holds an exclusive lock on the token file while it runs; before each local
 * read the gateway checks the lock is held, so the files of a stopped worker are read only through it (that
 * is, not at all), exactly as without local reads.
 *
 * Every block of a local read passes the same `ShardFrameReader` checks as a download. When a local read
 * fails in any way (a bad header, a short file, a block that fails its checksum, an I/O error), the rest of
 * the shard is read from the worker instead, which checks the same blocks, quarantines a corrupt file and
 * answers with the error a network read gives. So a local read never serves corrupt bytes and never hides
 * corruption from the worker.
 */
import { toHex } from "../core/mod.ts";
import { readFull, writeAll } from "./file_io.ts";
import { ShardFile } from "./shard_file.ts";
import { type ShardBlockReader, ShardFrameReader } from "./shard_frames.ts";
import type { ShardName } from "./shard_name.ts";
import { shardFilePath } from "./shard_store.ts";

/** Name of the token file in a worker's data directory. */
export const LOCAL_READS_TOKEN_FILE = "local-reads.token";

/** What a worker's health answer says about reading its files directly. */
export interface LocalReadsAnnouncement {
  /** Absolute path of the worker's data directory, as the worker sees it. */
  dataDir: string;
  /** The token the worker wrote into `dataDir/local-reads.token` at start. */
  token: string;
}

const TOKEN_PATTERN = /^[0-9a-f]{32}$/;

/** The worker's side of local reads: its announcement, and the lock that says the worker is running. */
export interface LocalReadsOffer extends Disposable {
  /** What the health answer carries. */
  readonly announcement: LocalReadsAnnouncement;
}

/**
 * Writes a new token into `dataDir` (a temp file, exclusively locked, renamed over the old one) and keeps the
 * lock while the returned offer is open: the kernel drops it when the worker process ends however it ends,
 * which is how a gateway tells a running worker from a stopped one. Called once when the worker starts.
 */
export async function offerLocalReads(dataDir: string): Promise<LocalReadsOffer> {
  const absolute = await Deno.realPath(dataDir);
  const token = toHex(crypto.getRandomValues(new Uint8Array(16)));
  const temp = `${absolute}/tmp/${LOCAL_READS_TOKEN_FILE}.${crypto.randomUUID()}`;
  const file = await Deno.open(temp, { write: true, createNew: true });
  try {
    await file.lock(true);
    await writeAll(file, new TextEncoder().encode(token));
    await Deno.rename(temp, `${absolute}/${LOCAL_READS_TOKEN_FILE}`);
  } catch (error) {
    file.close();
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
  let open = true;
  return {
    announcement: { dataDir: absolute, token },
    [Symbol.dispose]: () => {
      if (open) file.close(); // the lock goes with the file
      open = false;
    },
  };
}

/** A health answer's `localReads`, or undefined when absent or malformed. */
export function parseLocalReadsAnnouncement(value: unknown): LocalReadsAnnouncement | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { dataDir, token } = value as Record<string, unknown>;
  if (typeof dataDir !== "string" || !dataDir.startsWith("/") || dataDir.includes("\0")) return undefined;
  if (typeof token !== "string" || !TOKEN_PATTERN.test(token)) return undefined;
  return { dataDir, token };
}

/**
 * The announced token file, open, when it holds the announced token (this process shares the worker's
 * files); null when it is not there, not readable or holds another token.
 */
export async function openTokenFile(announcement: LocalReadsAnnouncement): Promise<Deno.FsFile | null> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(`${announcement.dataDir}/${LOCAL_READS_TOKEN_FILE}`, { read: true });
  } catch {
    return null; // not there, or no permission: not local
  }
  try {
    const bytes = new Uint8Array(announcement.token.length + 1);
    const length = await readFull(file, bytes);
    if (new TextDecoder().decode(bytes.subarray(0, length)) === announcement.token) return file;
  } catch { /* unreadable: not local */ }
  file.close();
  return null;
}

/**
 * True while the worker holds its lock on `tokenFile` (from `offerLocalReads`), that is while its process
 * runs. A lock this process can take means nobody holds it; it is released at once.
 */
export async function workerHoldsLock(tokenFile: Deno.FsFile): Promise<boolean> {
  try {
    if (!await tokenFile.tryLock(false)) return true;
    await tokenFile.unlock();
    return false;
  } catch {
    return false; // a file system without locks: no proof the worker runs, so no local reads
  }
}

/** A local read: which blocks of which shard, and what the manifest says the shard is. */
export interface LocalShardRead {
  readonly name: ShardName;
  readonly blockSizeBytes: number;
  readonly dataLength: number;
  readonly firstBlock: number;
  readonly blockCount: number;
  /** Names the shard in error messages. */
  readonly label: string;
}

/**
 * Opens the file of `read.name` under `dataDir` for a local read, or returns null when a local read cannot
 * start (no such file, a damaged header, a size or block size other than the manifest's, an I/O error): the
 * caller then asks the worker, which gives the authoritative answer.
 */
export async function openLocalShard(
  dataDir: string,
  read: LocalShardRead,
): Promise<ShardFrameReader | null> {
  let file: ShardFile | null;
  try {
    file = await ShardFile.open(shardFilePath(dataDir, read.name), read.name);
  } catch {
    return null;
  }
  if (file === null) return null;
  const { header } = file;
  if (
    header.blockSizeBytes !== read.blockSizeBytes || header.dataLength !== read.dataLength ||
    read.firstBlock + read.blockCount > file.blocks
  ) {
    file.close();
    return null;
  }
  return new ShardFrameReader(file.frameSource(read.firstBlock, read.blockCount), {
    blockSizeBytes: read.blockSizeBytes,
    dataLength: read.dataLength,
    firstBlock: read.firstBlock,
    blockCount: read.blockCount,
    label: `${read.label} (local)`,
  });
}

/**
 * Whether one worker's files are read locally, kept up to date from its health answers: local from an answer
 * whose directory and token this process sees, until an answer without them or a failed health check.
 */
export class LocalReadAccess {
  readonly #enabled: boolean;
  #announcement: LocalReadsAnnouncement | null = null;
  #tokenFile: Deno.FsFile | null = null;

  /** With `enabled` false, reads never go local. */
  constructor(enabled: boolean) {
    this.#enabled = enabled;
  }

  /** True while reads go local. */
  get active(): boolean {
    return this.#tokenFile !== null;
  }

  /** Reads go over the network again (the worker did not answer, or stopped); closes the token file. */
  clear(): void {
    this.#tokenFile?.close();
    this.#tokenFile = null;
    this.#announcement = null;
  }

  /** Applies a health answer's announcement (checking the token file only when it changed). */
  async update(announcement: LocalReadsAnnouncement | undefined): Promise<void> {
    if (!this.#enabled || announcement === undefined) return this.clear();
    const known = this.#announcement;
    if (known?.dataDir === announcement.dataDir && known.token === announcement.token) return;
    this.clear();
    const tokenFile = await openTokenFile(announcement);
    if (tokenFile === null) return;
    if (this.#tokenFile !== null) { // another update finished first: keep one file
      tokenFile.close();
      return;
    }
    this.#tokenFile = tokenFile;
    this.#announcement = announcement;
  }

  /**
   * A reader of `read` that starts on the local file and falls back to `openRemote`, or null when reads are
   * not local, the worker process no longer runs (reads then go over the network until its next good health
   * answer), or the file cannot be opened (then the caller reads over the network).
   */
  async open(read: LocalShardRead, openRemote: RemoteShardOpener): Promise<ShardBlockReader | null> {
    const tokenFile = this.#tokenFile;
    const dataDir = this.#announcement?.dataDir;
    if (tokenFile === null || dataDir === undefined || read.blockCount === 0) return null;
    if (!await workerHoldsLock(tokenFile)) {
      if (this.#tokenFile === tokenFile) this.clear();
      return null;
    }
    const local = await openLocalShard(dataDir, read);
    return local === null
      ? null
      : new LocalFirstShardReader(local, read.firstBlock + read.blockCount, openRemote);
  }
}

/** Opens a network read of `blockCount` blocks from `firstBlock` of the same shard. */
export type RemoteShardOpener = (firstBlock: number, blockCount: number) => Promise<ShardBlockReader>;

/**
 * Reads blocks from a local file until a read fails, then the remaining blocks (the failed one first) from
 * the worker, whose answer (the block, or the worker's error) is what the caller gets.
 */
export class LocalFirstShardReader implements ShardBlockReader {
  #current: ShardBlockReader;
  #local: boolean;
  readonly #openRemote: RemoteShardOpener;
  readonly #endBlock: number;

  constructor(local: ShardFrameReader, endBlock: number, openRemote: RemoteShardOpener) {
    this.#current = local;
    this.#local = true;
    this.#endBlock = endBlock;
    this.#openRemote = openRemote;
  }

  /** True until a local read failed and the worker took over. */
  get readingLocally(): boolean {
    return this.#local;
  }

  /** Index of the block the next `readBlock()` returns. */
  get nextBlock(): number {
    return this.#current.nextBlock;
  }

  /** CRC32 of the block the last `readBlock()` returned. */
  get lastChecksum(): number {
    return this.#current.lastChecksum;
  }

  /** The next verified block, from the file or (after a local failure) from the worker. */
  async readBlock(target?: Uint8Array): Promise<Uint8Array | null> {
    if (!this.#local) return await this.#current.readBlock(target);
    const failedAt = this.#current.nextBlock;
    try {
      return await this.#current.readBlock(target);
    } catch (error) {
      this.#local = false;
      await this.#current.cancel().catch(() => {});
      if (failedAt >= this.#endBlock) throw error; // the end check failed: nothing is left to ask for
      this.#current = await this.#openRemote(failedAt, this.#endBlock - failedAt);
      return await this.#current.readBlock(target);
    }
  }

  /** Stops the current read (closes the file, or cancels the download). */
  async cancel(reason?: unknown): Promise<void> {
    await this.#current.cancel(reason);
  }
}
