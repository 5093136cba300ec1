/**
 * Pure parts of the lifecycle bench: a mixed corpus of objects (access logs and JSON records, which the
 * archive stores deflated, and random bytes standing for already-compressed media, which it stores as
 * they are) and the sums of shard bytes per worker pool. No I/O here, so it is table-tested.
 */

/** What an object of the corpus holds. */
export type CorpusKind = "log" | "json" | "media";

/** The kinds in the order objects cycle through them. */
export const CORPUS_KINDS: readonly CorpusKind[] = ["log", "json", "media"];

/** One object of the corpus. */
export interface CorpusObject {
  readonly kind: CorpusKind;
  readonly bytes: Uint8Array<ArrayBuffer>;
}

const PATHS = ["/media/clip", "/media/poster", "/api/v1/play", "/api/v1/heartbeat", "/static/app"];
const AGENTS = ["Mozilla/5.0 (X11; Linux x86_64)", "AppleCoreMedia/1.0.0", "ExoPlayer/2.19", "curl/8.5.0"];
const EVENTS = ["play", "pause", "seek", "buffer", "stop"];

/**
 * Object `index` of the corpus, exactly `sizeBytes` long: kinds cycle log, JSON, media. Text is
 * deterministic for an index (a seeded generator varies its fields, so it compresses like real logs rather
 * than like one repeated line); media is fresh random bytes from `randomBytes`.
 */
export function mixedCorpusObject(
  index: number,
  sizeBytes: number,
  randomBytes: (sizeBytes: number) => Uint8Array<ArrayBuffer>,
): CorpusObject {
  if (!(Number.isSafeInteger(index) && index >= 0 && Number.isSafeInteger(sizeBytes) && sizeBytes >= 0)) {
    throw new Error(`Expected a whole index and size, got index ${index}, ${sizeBytes} bytes`);
  }
  const kind = CORPUS_KINDS[index % CORPUS_KINDS.length];
  if (kind === "media") return { kind, bytes: randomBytes(sizeBytes) };
  const next = seededRandom(index + 1);
  const line = kind === "log" ? () => logLine(next) : () => jsonLine(next);
  return { kind, bytes: textOfSize(line, sizeBytes) };
}

/** Lines from `line` until `sizeBytes` are reached, cut to exactly that length. */
function textOfSize(line: () => string, sizeBytes: number): Uint8Array<ArrayBuffer> {
  const encoder = new TextEncoder();
  const bytes = new Uint8Array(sizeBytes);
  let filled = 0;
  while (filled < sizeBytes) {
    const encoded = encoder.encode(line());
    const take = Math.min(encoded.byteLength, sizeBytes - filled);
    bytes.set(encoded.subarray(0, take), filled);
    filled += take;
  }
  return bytes;
}

function logLine(next: () => number): string {
  const ip = `10.${pick(next, 256)}.${pick(next, 256)}.${pick(next, 256)}`;
  const second = pick(next, 86_400);
  const time = `2026-11-25T${pad(Math.floor(second / 3600))}:${pad(Math.floor(second / 60) % 60)}:` +
    `${pad(second % 60)}Z`;
  const path = `${PATHS[pick(next, PATHS.length)]}/${pick(next, 100_000)}`;
  const status = [200, 200, 200, 206, 304, 404][pick(next, 6)];
  return `${ip} - - [${time}] "GET ${path} HTTP/1.1" ${status} ${pick(next, 5_000_000)} "-" ` +
    `"${AGENTS[pick(next, AGENTS.length)]}"\n`;
}

function jsonLine(next: () => number): string {
  return JSON.stringify({
    id: pick(next, 1_000_000_000),
    user: `u${pick(next, 50_000)}`,
    event: EVENTS[pick(next, EVENTS.length)],
    positionMs: pick(next, 7_200_000),
    bitrateKbps: [800, 1600, 3200, 6400][pick(next, 4)],
    ts: 1_795_000_000_000 + pick(next, 86_400_000),
  }) + "\n";
}

function pad(value: number): string {
  return String(value).padStart(2, "0");
}

function pick(next: () => number, count: number): number {
  return Math.floor(next() * count);
}

/** A small deterministic generator (mulberry32) of numbers in [0, 1). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** One shard file: the worker holding it, the data it belongs to and its size on disk. */
export interface ShardFile {
  readonly workerId: string;
  readonly dataId: string;
  readonly sizeBytes: number;
}

/** Shard bytes on the regional workers (`z…`) and on the archive workers (`a…`), and their data ids. */
export interface PoolBytes {
  readonly regionalBytes: number;
  readonly archiveBytes: number;
  readonly regionalDataIds: ReadonlySet<string>;
  readonly archiveDataIds: ReadonlySet<string>;
}

/** Sums `shards` per pool, leaving out the data ids in `exclude` (data measured earlier). */
export function poolBytes(shards: readonly ShardFile[], exclude: ReadonlySet<string> = new Set()): PoolBytes {
  let regionalBytes = 0;
  let archiveBytes = 0;
  const regionalDataIds = new Set<string>();
  const archiveDataIds = new Set<string>();
  for (const shard of shards) {
    if (exclude.has(shard.dataId)) continue;
    if (shard.workerId.startsWith("a")) {
      archiveBytes += shard.sizeBytes;
      archiveDataIds.add(shard.dataId);
    } else if (shard.workerId.startsWith("z")) {
      regionalBytes += shard.sizeBytes;
      regionalDataIds.add(shard.dataId);
    } else {
      throw new Error(
        `Expected a worker id starting with "z" (regional) or "a" (archive), got ${shard.workerId}`,
      );
    }
  }
  return { regionalBytes, archiveBytes, regionalDataIds, archiveDataIds };
}

/** Shard files per data id (each id's placement width: data + parity shards of its tier's code). */
export function shardsPerDataId(shards: readonly ShardFile[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const shard of shards) counts.set(shard.dataId, (counts.get(shard.dataId) ?? 0) + 1);
  return counts;
}
