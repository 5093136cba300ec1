/**
 * The shards of one worker on one local disk, under `dataDir`:
 *
 *   shards/<first 2 hex digits of the data id>/<dataId>.<shardIndex>   complete shard files
 *   tmp/<dataId>.<shardIndex>.<random>                                  writes in progress
 *   quarantine/<dataId>.<shardIndex>.<ms>-<random>                      files that failed a check
 *
 * Paths are built only from checked `ShardName`s, so they never leave `dataDir`. Writes are
 * crash-safe (see `shard_writer.ts`), so `tmp/` holds only leftovers of crashed writes at start-up,
 * which `ShardStore.open` deletes. A file that fails a check is moved to `quarantine/` (if it is still
 * the file at the shard's path), logged and listed in `quarantined`, so it is never served again and
 * never deleted. `verifyShard` reads a whole shard through the same checks as a GET, for the scrubber.
 */

import { type Clock, isStoreError, type Logger, StoreError, systemClock } from "../core/mod.ts";
import { ensureDirectory, removeIfExists, syncDirectory } from "./file_io.ts";
import { QuarantineLog } from "./quarantine_log.ts";
import { ShardFile } from "./shard_file.ts";
import { FRAME_OVERHEAD_BYTES } from "./shard_frames.ts";
import { SHARD_HEADER_BYTES, type ShardHeader } from "./shard_header.ts";
import { formatShardName, parseShardName, type ShardName } from "./shard_name.ts";
import { type ShardWriteResult, writeShardFile } from "./shard_writer.ts";

/** Options of `ShardStore.open`. */
export interface ShardStoreOptions {
  /** Root directory of this worker's shards. */
  dataDir: string;
  /** Where quarantines and start-up clean-up are reported. */
  logger: Logger;
  /** Time source for quarantine file names. */
  clock?: Clock;
  /** How many quarantined shards `quarantined` lists; 1000 by default. */
  quarantineLogEntries?: number;
}

/** What `ShardStore.verifyShard` found. */
export type ShardCheck =
  /** No file at the shard's path (never written, deleted, or quarantined already). */
  | { readonly kind: "absent" }
  /** Every block passed its checksum; `bytes` is the file's size, header included. */
  | { readonly kind: "verified"; readonly bytes: number }
  /**
   * The file failed a check. `quarantined` is false when the path held another file (or none) by the
   * time it was to be moved: the shard was rewritten or deleted meanwhile, and the new file is kept.
   */
  | { readonly kind: "corrupt"; readonly quarantined: boolean; readonly reason: string };

/** How `ShardStore.verifyShard` reads: into whose buffer, and at what pace. */
export interface ShardCheckIo {
  /** A buffer of at least `minBytes`, reused from call to call by the caller. */
  buffer(minBytes: number): Uint8Array;
  /** Resolves when `bytes` more may be read; what it throws ends the check and is rethrown. */
  beforeRead(bytes: number): Promise<void>;
}

/** Stores, reads, deletes and quarantines shard files under one data directory. */
export class ShardStore {
  readonly #dataDir: string;
  readonly #logger: Logger;
  readonly #clock: Clock;
  /** Shards quarantined since the store was opened (newest last, bounded). */
  readonly quarantined: QuarantineLog;

  private constructor(options: ShardStoreOptions) {
    this.#dataDir = options.dataDir;
    this.#logger = options.logger;
    this.#clock = options.clock ?? systemClock;
    this.quarantined = new QuarantineLog(options.quarantineLogEntries);
  }

  /** Creates the directory layout if needed and deletes leftovers of interrupted writes. */
  static async open(options: ShardStoreOptions): Promise<ShardStore> {
    const store = new ShardStore(options);
    await Deno.mkdir(options.dataDir, { recursive: true });
    for (const sub of ["shards", "tmp", "quarantine"]) {
      await ensureDirectory(`${options.dataDir}/${sub}`, options.dataDir);
    }
    let removed = 0;
    for await (const entry of Deno.readDir(store.#tempDirectory)) {
      await Deno.remove(`${store.#tempDirectory}/${entry.name}`, { recursive: true });
      removed++;
    }
    if (removed > 0) {
      await syncDirectory(store.#tempDirectory);
      options.logger.info("Deleted leftovers of interrupted shard writes", { removed });
    }
    return store;
  }

  /** Writes (or atomically replaces) a shard from a stream of frames; resolves once durable. */
  writeShard(header: ShardHeader, body: ReadableStream<Uint8Array>): Promise<ShardWriteResult> {
    const random = crypto.randomUUID();
    return writeShardFile(
      {
        tempPath: `${this.#tempDirectory}/${formatShardName(header)}.${random}`,
        finalDirectory: this.#shardDirectory(header),
        finalDirectoryParent: `${this.#dataDir}/shards`,
        finalPath: this.#shardPath(header),
      },
      header,
      body,
    );
  }

  /**
   * Opens a shard for reading; null when absent. A file with a bad header or size is quarantined and
   * reported as `corrupt_block`.
   */
  async openShard(name: ShardName): Promise<ShardFile | null> {
    try {
      return await ShardFile.open(this.#shardPath(name), name);
    } catch (error) {
      if (isStoreError(error, "corrupt_block")) await this.quarantine(name, null, error.message);
      throw error;
    }
  }

  /**
   * Streams the selected frames of an open shard, closing it at the end. The first chunk is read and
   * checked before this resolves, so corruption at the start is a clean error; corruption found later
   * errors the stream (the client sees a broken body, never bad bytes). Either way the file is
   * quarantined.
   */
  async streamFrames(shard: ShardFile): Promise<ReadableStream<Uint8Array>> {
    const fail = async (error: unknown): Promise<never> => {
      shard.close();
      if (isStoreError(error, "corrupt_block")) {
        await this.quarantine(shard.header, shard.identity, error.message);
      }
      throw error;
    };
    const first = await shard.readChunk().catch(fail);
    return new ReadableStream<Uint8Array>({
      start(controller) {
        if (first === null) {
          shard.close();
          controller.close();
        } else {
          controller.enqueue(first);
        }
      },
      async pull(controller) {
        const chunk = await shard.readChunk().catch(fail);
        if (chunk === null) {
          shard.close();
          controller.close();
        } else {
          controller.enqueue(chunk);
        }
      },
      cancel() {
        shard.close();
      },
    }, { highWaterMark: 0 });
  }

  /**
   * Reads every frame of shard `name` and checks the header, the size and every block exactly as a GET
   * does, quarantining a file that fails. Frames are read into `io.buffer()` (at least one frame, so the
   * memory is bounded by the block size), each read waiting for `io.beforeRead()` first.
   */
  async verifyShard(name: ShardName, io: ShardCheckIo): Promise<ShardCheck> {
    await io.beforeRead(SHARD_HEADER_BYTES);
    let shard: ShardFile | null;
    try {
      shard = await ShardFile.open(this.#shardPath(name), name);
    } catch (error) {
      if (!isStoreError(error, "corrupt_block")) throw error;
      return {
        kind: "corrupt",
        quarantined: await this.quarantine(name, null, error.message),
        reason: error.message,
      };
    }
    if (shard === null) return { kind: "absent" };
    using file = shard;
    file.selectBlocks(0, file.blocks);
    const buffer = io.buffer(file.header.blockSizeBytes + FRAME_OVERHEAD_BYTES);
    let bytes = SHARD_HEADER_BYTES;
    while (true) {
      const next = file.nextChunkBytes(buffer.length);
      if (next === 0) return { kind: "verified", bytes };
      await io.beforeRead(next);
      try {
        await file.readChunkInto(buffer);
      } catch (error) {
        if (!isStoreError(error, "corrupt_block")) throw error;
        const quarantined = await this.quarantine(file.header, file.identity, error.message);
        return { kind: "corrupt", quarantined, reason: error.message };
      }
      bytes += next;
    }
  }

  /**
   * Every shard of the store, walking `shards/` in name order (one directory's listing in memory at a
   * time), after `after` when given. Files that are not shard files, or that sit in the wrong directory, are
   * skipped.
   */
  async *listShards(after: ShardName | null = null): AsyncGenerator<ShardName> {
    const root = `${this.#dataDir}/shards`;
    const afterName = after === null ? "" : formatShardName(after);
    for (const directory of await sortedEntries(root, "directory")) {
      if (directory < afterName.slice(0, 2)) continue;
      for (const fileName of await sortedEntries(`${root}/${directory}`, "file")) {
        if (fileName <= afterName) continue;
        const name = shardNameOfFile(fileName);
        if (name !== null && name.dataId.startsWith(directory)) yield name;
      }
    }
  }

  /** When the shard's file was last written, or null when it is absent. */
  async modifiedMs(name: ShardName): Promise<number | null> {
    try {
      return (await Deno.stat(this.#shardPath(name))).mtime?.getTime() ?? 0;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
  }

  /**
   * Deletes a shard if present; returns whether it existed. The directory is fsynced after. With
   * `unmodifiedSinceMs`, a file written after that time is kept and `precondition_failed` thrown: the caller
   * decided on an older copy (a shard rebuilt here meanwhile must survive).
   */
  async deleteShard(name: ShardName, unmodifiedSinceMs: number | null = null): Promise<boolean> {
    if (unmodifiedSinceMs !== null) {
      const modified = await this.modifiedMs(name);
      if (modified === null) return false;
      if (modified > unmodifiedSinceMs) {
        throw new StoreError(
          "precondition_failed",
          `Shard ${formatShardName(name)} was written at ${modified}, after ${unmodifiedSinceMs}: kept`,
        );
      }
    }
    const existed = await removeIfExists(this.#shardPath(name));
    if (existed) await syncDirectory(this.#shardDirectory(name));
    return existed;
  }

  /**
   * Moves the file at a shard's path to `quarantine/`, logs why and lists it in `quarantined`; returns
   * whether a file was moved. With an `identity` (from `ShardFile`), moves it only if it is still that
   * file, so a shard rewritten meanwhile is kept.
   */
  async quarantine(name: ShardName, identity: string | null, reason: string): Promise<boolean> {
    const path = this.#shardPath(name);
    const atMs = this.#clock.nowMs();
    const target = `${this.#dataDir}/quarantine/${formatShardName(name)}.${atMs}-${
      crypto.randomUUID().slice(0, 8)
    }`;
    try {
      if (identity !== null) {
        const info = await Deno.stat(path);
        if (`${info.dev}:${info.ino}` !== identity) return false;
      }
      await Deno.rename(path, target);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return false;
      this.#logger.error("Could not quarantine a corrupt shard", { ...shardFields(name), reason, error });
      return false;
    }
    this.quarantined.record(name, atMs);
    this.#logger.error("Quarantined a corrupt shard", {
      ...shardFields(name),
      reason,
      quarantinePath: target,
    });
    try {
      await syncDirectory(this.#shardDirectory(name));
    } catch (error) {
      // The file is moved either way; after a crash it may reappear and fail its checks again.
      this.#logger.warn("Could not sync the directory of a quarantined shard", {
        ...shardFields(name),
        error,
      });
    }
    return true;
  }

  get #tempDirectory(): string {
    return `${this.#dataDir}/tmp`;
  }

  #shardDirectory(name: ShardName): string {
    return shardDirectoryPath(this.#dataDir, name);
  }

  #shardPath(name: ShardName): string {
    return shardFilePath(this.#dataDir, name);
  }
}

/** The directory under `dataDir` that holds the complete file of shard `name`. */
function shardDirectoryPath(dataDir: string, name: ShardName): string {
  return `${dataDir}/shards/${name.dataId.slice(0, 2)}`;
}

/**
 * Path of the complete file of shard `name` under a worker's `dataDir` (see the layout above); what a
 * gateway on the same host opens for a local read (`local_reads.ts`).
 */
export function shardFilePath(dataDir: string, name: ShardName): string {
  return `${shardDirectoryPath(dataDir, name)}/${formatShardName(name)}`;
}

function shardFields(name: ShardName): { dataId: string; shardIndex: number } {
  return { dataId: name.dataId, shardIndex: name.shardIndex };
}

/** Names of the directories (or files) in `path`, sorted; none when `path` is gone. */
async function sortedEntries(path: string, want: "directory" | "file"): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(path)) {
      if (want === "directory" ? entry.isDirectory : entry.isFile) names.push(entry.name);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return names.sort();
}

/** The shard a file name `<dataId>.<shardIndex>` names, or null for any other name. */
function shardNameOfFile(fileName: string): ShardName | null {
  const dot = fileName.indexOf(".");
  if (dot < 0) return null;
  try {
    return parseShardName(fileName.slice(0, dot), fileName.slice(dot + 1));
  } catch {
    return null;
  }
}
