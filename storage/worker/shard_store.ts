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
 * the file at the shard's path) and logged, so it is never served again.
 */

import { type Clock, isStoreError, type Logger, systemClock } from "../core/mod.ts";
import { ensureDirectory, removeIfExists, syncDirectory } from "./file_io.ts";
import { ShardFile } from "./shard_file.ts";
import type { ShardHeader } from "./shard_header.ts";
import { formatShardName, type ShardName } from "./shard_name.ts";
import { type ShardWriteResult, writeShardFile } from "./shard_writer.ts";

/** Options of `ShardStore.open`. */
export interface ShardStoreOptions {
  /** Root directory of this worker's shards. */
  dataDir: string;
  /** Where quarantines and start-up clean-up are reported. */
  logger: Logger;
  /** Time source for quarantine file names. */
  clock?: Clock;
}

/** Stores, reads, deletes and quarantines shard files under one data directory. */
export class ShardStore {
  readonly #dataDir: string;
  readonly #logger: Logger;
  readonly #clock: Clock;

  private constructor(options: ShardStoreOptions) {
    this.#dataDir = options.dataDir;
    this.#logger = options.logger;
    this.#clock = options.clock ?? systemClock;
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

  /** Deletes a shard if present; returns whether it existed. The directory is fsynced after. */
  async deleteShard(name: ShardName): Promise<boolean> {
    const existed = await removeIfExists(this.#shardPath(name));
    if (existed) await syncDirectory(this.#shardDirectory(name));
    return existed;
  }

  /**
   * Moves the file at a shard's path to `quarantine/` and logs why. With an `identity` (from
   * `ShardFile`), moves it only if it is still that file, so a shard rewritten meanwhile is kept.
   */
  async quarantine(name: ShardName, identity: string | null, reason: string): Promise<void> {
    const path = this.#shardPath(name);
    try {
      if (identity !== null) {
        const info = await Deno.stat(path);
        if (`${info.dev}:${info.ino}` !== identity) return;
      }
      const suffix = `${this.#clock.nowMs()}-${crypto.randomUUID().slice(0, 8)}`;
      const target = `${this.#dataDir}/quarantine/${formatShardName(name)}.${suffix}`;
      await Deno.rename(path, target);
      await syncDirectory(this.#shardDirectory(name));
      this.#logger.error("Quarantined a corrupt shard", {
        ...shardFields(name),
        reason,
        quarantinePath: target,
      });
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return;
      this.#logger.error("Could not quarantine a corrupt shard", { ...shardFields(name), reason, error });
    }
  }

  get #tempDirectory(): string {
    return `${this.#dataDir}/tmp`;
  }

  #shardDirectory(name: ShardName): string {
    return `${this.#dataDir}/shards/${name.dataId.slice(0, 2)}`;
  }

  #shardPath(name: ShardName): string {
    return `${this.#shardDirectory(name)}/${formatShardName(name)}`;
  }
}

function shardFields(name: ShardName): { dataId: string; shardIndex: number } {
  return { dataId: name.dataId, shardIndex: name.shardIndex };
}
