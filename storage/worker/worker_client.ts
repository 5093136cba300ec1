/**
 * The gateway's side of the worker protocol: one `fetch` per call, signed with the cluster
 * credential, uploads streamed (`duplex: "half"`), downloads returned as a `ShardFrameReader` that
 * verifies every block. Failures become `StoreError`s: network errors and timeouts `unavailable`,
 * 404 `shard_not_found`, 403 `unauthorized`, 507 `disk_full`, a corrupt or mismatching shard
 * `corrupt_block`, anything else `unavailable` with the status in the message. Every response body
 * is read or cancelled, so no connection resource leaks. `requestTimeoutMs` bounds each wait on the
 * worker (see `WaitDeadline`), not the whole transfer.
 */

import { readAll, StoreError, type StoreErrorKind } from "../core/mod.ts";
import { importClusterKey, signClusterRequest } from "./cluster_auth.ts";
import { LocalReadAccess, parseLocalReadsAnnouncement } from "./local_reads.ts";
import {
  blockCount,
  type ExactByteSource,
  framesByteLength,
  type ShardBlockReader,
  ShardFrameReader,
} from "./shard_frames.ts";
import { socketDownload, type SocketDownloadAnswer } from "./socket_download.ts";
import { socketUpload, type SocketUploadAnswer, UploadSourceError } from "./socket_upload.ts";
import { formatShardName, shardName } from "./shard_name.ts";
import { WaitDeadline } from "./wait_deadline.ts";
import {
  BLOCK_COUNT_HEADER,
  BLOCK_SIZE_HEADER,
  DATA_LENGTH_HEADER,
  ERROR_KIND_HEADER,
  FIRST_BLOCK_HEADER,
  HEALTH_PATH,
  type HealthResponseBody,
  MAX_JSON_BODY_BYTES,
  parseErrorBody,
  parseQuarantinedShards,
  parseScrubStats,
  type PutShardResponseBody,
  SHARD_LIST_PATH,
  type ShardListResponseBody,
  shardRequestPath,
} from "./worker_protocol.ts";

/** Default bound on one wait on a worker. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/**
 * Shard uploads of at least this many bytes go out with a `Content-Length` on a connection of their own
 * (`socket_upload.ts`); smaller ones through `fetch`, which reuses pooled connections but sends chunked.
 */
export const DEFAULT_SOCKET_UPLOAD_MIN_BYTES = 256 * 1024;
/**
 * Shard reads of at least this many bytes are read straight from a connection of their own
 * (`socket_download.ts`); smaller ones through `fetch`, whose pooled connections cost less to start.
 */
export const DEFAULT_SOCKET_DOWNLOAD_MIN_BYTES = 1024 * 1024;
const KINDS_FROM_BODY: ReadonlySet<string> = new Set<StoreErrorKind>([
  "corrupt_block",
  "incomplete_body",
  "invalid_argument",
  "precondition_failed",
]);

/** Options of a `WorkerClient`. */
export interface WorkerClientOptions {
  /** Id of the worker, checked against its health answer and named in errors. */
  workerId: string;
  /** Origin of the worker, such as `http://127.0.0.1:4101`. */
  baseUrl: string;
  /** Shared secret of the cluster credential. */
  clusterSecret: string;
  /** Bound on each wait on the worker; 30 s by default. */
  requestTimeoutMs?: number;
  /** Shard uploads from this size on are written to a socket with a Content-Length (http: workers only). */
  socketUploadMinBytes?: number;
  /** Shard reads from this size on are read straight from a socket (http: workers only). */
  socketDownloadMinBytes?: number;
  /**
   * Read shard files straight from the worker's disk once its health answer proves they are on this host
   * (`local_reads.ts`); false by default.
   */
  localReads?: boolean;
}

/** Which shard a call is about. */
export interface ShardRequest {
  /** 32 lower-case hex digits. */
  dataId: string;
  /** 0..255. */
  shardIndex: number;
  /** Aborts the call. */
  signal?: AbortSignal;
}

/** A shard upload. */
export interface PutShardRequest extends ShardRequest {
  /** Block size of the frames. */
  blockSizeBytes: number;
  /** Length of the shard's data. */
  dataLength: number;
  /** The frames, exactly `blockCount(dataLength, blockSizeBytes)` of them. */
  body: ReadableStream<Uint8Array>;
  /**
   * Called with each chunk of `body` once the transport holds no reference to it any more (its bytes are in
   * the kernel), so the caller may reuse it. Only the socket transport calls it; chunks sent through `fetch`
   * are never handed back.
   */
  onChunkSent?: (chunk: Uint8Array) => void;
}

/** A shard download: the whole shard, or `blockCount` blocks from `firstBlock`. */
export interface GetShardRequest extends ShardRequest {
  /** Block size the manifest records; the worker's must match. */
  blockSizeBytes: number;
  /** Data length the manifest records; the worker's must match. */
  dataLength: number;
  /** First block to read; 0 by default. */
  firstBlock?: number;
  /** Blocks to read (clamped to the end); all to the end by default. */
  blockCount?: number;
}

/** What a worker stores for a shard. */
export interface ShardInfo {
  /** Block size of the stored frames. */
  blockSizeBytes: number;
  /** Length of the stored data. */
  dataLength: number;
  /** Number of blocks. */
  blocks: number;
}

/** Talks to one worker. */
export class WorkerClient {
  /** Id of the worker. */
  readonly workerId: string;
  /** Origin of the worker. */
  readonly baseUrl: string;
  readonly #key: Promise<CryptoKey>;
  readonly #timeoutMs: number;
  readonly #socketUploadMinBytes: number;
  readonly #socketDownloadMinBytes: number;
  readonly #local: LocalReadAccess;

  constructor(options: WorkerClientOptions) {
    this.workerId = options.workerId;
    this.baseUrl = options.baseUrl;
    this.#key = importClusterKey(options.clusterSecret);
    this.#timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const plainHttp = new URL(this.baseUrl).protocol === "http:";
    this.#socketUploadMinBytes = plainHttp
      ? options.socketUploadMinBytes ?? DEFAULT_SOCKET_UPLOAD_MIN_BYTES
      : Infinity;
    this.#socketDownloadMinBytes = plainHttp
      ? options.socketDownloadMinBytes ?? DEFAULT_SOCKET_DOWNLOAD_MIN_BYTES
      : Infinity;
    this.#local = new LocalReadAccess(options.localReads ?? false);
  }

  /** Releases what the client holds open (the worker's token file while reads go local). */
  close(): void {
    this.#local.clear();
  }

  /** True while shard reads open the worker's files directly (see `localReads`). */
  get readsLocally(): boolean {
    return this.#local.active;
  }

  /** Uploads a shard (replacing any of the same name); resolves once the worker has it on disk. */
  async putShard(request: PutShardRequest): Promise<{ checksum: number; blocks: number }> {
    const name = shardName(request.dataId, request.shardIndex);
    const path = shardRequestPath(name, {
      blockSize: request.blockSizeBytes,
      dataLength: request.dataLength,
    });
    const expectedBlocks = blockCount(request.dataLength, request.blockSizeBytes);
    const contentLength = framesByteLength(0, expectedBlocks, request.dataLength, request.blockSizeBytes);
    const response = contentLength >= this.#socketUploadMinBytes
      ? await this.#upload(path, contentLength, request)
      : await this.#send("PUT", path, request.signal, request.body);
    const body = await this.#readJson<PutShardResponseBody>(response, "PUT", path);
    const checksumOk = Number.isInteger(body.checksum) && body.checksum >= 0 && body.checksum <= 0xffffffff;
    if (body.blocks !== expectedBlocks || body.dataLength !== request.dataLength || !checksumOk) {
      throw new StoreError(
        "unavailable",
        `Worker ${this.workerId} stored ${body.blocks} blocks / ${body.dataLength} bytes (checksum ` +
          `${body.checksum}) of shard ${
            formatShardName(name)
          }, expected ${expectedBlocks} / ${request.dataLength}`,
      );
    }
    return { checksum: body.checksum, blocks: body.blocks };
  }

  /**
   * Reads a shard or a range of its blocks; the returned reader verifies every block. While reads go local
   * the worker's file is opened directly (the worker takes over if that fails); otherwise ranges of at least
   * `socketDownloadMinBytes` are read straight from a socket, smaller ones through `fetch`.
   */
  async getShard(request: GetShardRequest): Promise<ShardBlockReader> {
    const name = shardName(request.dataId, request.shardIndex);
    const { firstBlock, blocks } = requestedBlocks(request);
    const label = `shard ${formatShardName(name)} on worker ${this.workerId}`;
    const local = await this.#local.open(
      { ...request, name, firstBlock, blockCount: blocks, label },
      (from, count) => this.#download({ ...request, firstBlock: from, blockCount: count }),
    );
    return local ?? await this.#download(request);
  }

  /** A shard read over the network (`getShard` without the local path). */
  async #download(request: GetShardRequest): Promise<ShardFrameReader> {
    const name = shardName(request.dataId, request.shardIndex);
    const { firstBlock, blocks } = requestedBlocks(request);
    const path = shardRequestPath(name, { firstBlock: request.firstBlock, blockCount: request.blockCount });
    const deadline = new WaitDeadline(
      this.#timeoutMs,
      `GET ${path} on worker ${this.workerId}`,
      request.signal,
    );
    const label = `shard ${formatShardName(name)} on worker ${this.workerId}`;
    const expected: Record<string, number> = {
      [BLOCK_SIZE_HEADER]: request.blockSizeBytes,
      [DATA_LENGTH_HEADER]: request.dataLength,
      [FIRST_BLOCK_HEADER]: firstBlock,
      [BLOCK_COUNT_HEADER]: blocks,
    };
    const frameBytes = framesByteLength(firstBlock, blocks, request.dataLength, request.blockSizeBytes);
    let body: ReadableStream<Uint8Array> | ExactByteSource;
    let headers: Headers;
    if (frameBytes >= this.#socketDownloadMinBytes) {
      ({ headers, body } = await this.#socketGet(path, request.signal, deadline));
    } else {
      const response = await this.#send("GET", path, request.signal, undefined, deadline);
      headers = response.headers;
      body = deadline.watchDownload(response.body ?? new Blob().stream());
    }
    for (const [header, value] of Object.entries(expected)) {
      const actual = headers.get(header);
      if (actual !== String(value)) {
        await body.cancel();
        throw new StoreError(
          "corrupt_block",
          `Worker sent ${header} ${actual} for ${label}, expected ${value}`,
        );
      }
    }
    return new ShardFrameReader(body, {
      blockSizeBytes: request.blockSizeBytes,
      dataLength: request.dataLength,
      firstBlock,
      blockCount: blocks,
      label,
    });
  }

  /** A GET read from a socket: the 2xx head and its body, or throws the mapped error. */
  async #socketGet(
    path: string,
    signal: AbortSignal | undefined,
    deadline: WaitDeadline,
  ): Promise<{ headers: Headers; body: ExactByteSource }> {
    const { url, headers } = await this.#signed("GET", path);
    let answer: SocketDownloadAnswer;
    try {
      answer = await socketDownload(url, headers, deadline);
    } catch (error) {
      throw this.#socketFailure(error, "GET", path, signal, deadline);
    }
    if (answer.ok) return answer;
    throw await this.#errorOf(answer.response, "GET", path);
  }

  /** Asks what the worker stores for a shard; null when it has none. */
  async headShard(request: ShardRequest): Promise<ShardInfo | null> {
    const path = shardRequestPath(shardName(request.dataId, request.shardIndex));
    let response: Response;
    try {
      response = await this.#send("HEAD", path, request.signal);
    } catch (error) {
      if (error instanceof StoreError && error.kind === "shard_not_found") return null;
      throw error;
    }
    await response.body?.cancel();
    const info = {
      blockSizeBytes: Number(response.headers.get(BLOCK_SIZE_HEADER)),
      dataLength: Number(response.headers.get(DATA_LENGTH_HEADER)),
      blocks: Number(response.headers.get(BLOCK_COUNT_HEADER)),
    };
    if (!Object.values(info).every(Number.isSafeInteger) || info.blockSizeBytes < 1) {
      throw new StoreError("unavailable", `Worker ${this.workerId} sent bad headers for HEAD ${path}`);
    }
    return info;
  }

  /**
   * Deletes a shard; succeeds whether or not the worker had it. With `unmodifiedSinceMs`, a copy written
   * after that time is kept and the call fails with `precondition_failed`.
   */
  async deleteShard(request: ShardRequest & { unmodifiedSinceMs?: number }): Promise<void> {
    const path = shardRequestPath(shardName(request.dataId, request.shardIndex), {
      unmodifiedSinceMs: request.unmodifiedSinceMs,
    });
    const response = await this.#send("DELETE", path, request.signal);
    await response.body?.cancel();
  }

  /** One page of the worker's shards in name order after `after` (`dataId.shardIndex`; "" from the start). */
  async listShards(after: string, limit: number, signal?: AbortSignal): Promise<ShardListResponseBody> {
    const query = new URLSearchParams({ after, limit: String(limit) });
    const path = `${SHARD_LIST_PATH}?${query}`;
    const response = await this.#send("GET", path, signal);
    const body = await this.#readJson<ShardListResponseBody>(response, "GET", path);
    const wellFormed = Array.isArray(body.shards) &&
      body.shards.every((shard) =>
        typeof shard.dataId === "string" && Number.isSafeInteger(shard.shardIndex) &&
        Number.isFinite(shard.modifiedMs)
      ) && (body.next === null || typeof body.next === "string");
    if (!wellFormed) throw new StoreError("unavailable", `Worker ${this.workerId} sent a bad shard listing`);
    return body;
  }

  /**
   * Checks that the worker answers, and that it is the worker this client expects. The answer's
   * `quarantined` list is always present, holding only well-formed entries (empty from older workers);
   * `scrub` is present only when the worker sent well-formed counters.
   */
  async health(signal?: AbortSignal): Promise<HealthResponseBody> {
    let body: HealthResponseBody;
    try {
      const response = await this.#send("GET", HEALTH_PATH, signal);
      body = await this.#readJson<HealthResponseBody>(response, "GET", HEALTH_PATH);
    } catch (error) {
      this.#local.clear(); // a worker that does not answer is read over the network again
      throw error;
    }
    if (body.workerId !== this.workerId || body.ok !== true) {
      this.#local.clear();
      throw new StoreError(
        "unavailable",
        `Worker at ${this.baseUrl} is ${
          JSON.stringify(body.workerId)
        } (ok: ${body.ok}), expected ${this.workerId}`,
      );
    }
    const quarantinedTotal = Number.isSafeInteger(body.quarantinedTotal) ? body.quarantinedTotal : undefined;
    const localReads = parseLocalReadsAnnouncement(body.localReads);
    await this.#local.update(localReads);
    return {
      workerId: body.workerId,
      ok: body.ok,
      scrub: parseScrubStats(body.scrub),
      quarantined: parseQuarantinedShards(body.quarantined),
      quarantinedTotal,
      localReads,
    };
  }

  /** Sends one signed request; resolves with a 2xx response, or throws the mapped error. */
  async #send(
    method: string,
    path: string,
    signal: AbortSignal | undefined,
    body?: ReadableStream<Uint8Array>,
    deadline = new WaitDeadline(this.#timeoutMs, `${method} ${path} on worker ${this.workerId}`, signal),
  ): Promise<Response> {
    const { url, headers } = await this.#signed(method, path);
    const upload = body === undefined ? undefined : deadline.watchUpload(body);
    let response: Response;
    deadline.start();
    try {
      // `duplex` streams the body; Deno's `RequestInit` type does not list it yet, hence the wider type.
      const init: RequestInit & { duplex?: "half" } = {
        method,
        headers: body === undefined ? headers : { ...headers, "content-type": "application/octet-stream" },
        signal: deadline.signal,
      };
      if (upload !== undefined) {
        init.body = upload.stream;
        init.duplex = "half";
      }
      response = await fetch(url, init);
    } catch (error) {
      await upload?.stopSource(error);
      if (upload?.sourceError !== undefined) throw upload.sourceError;
      if (signal?.aborted) throw signal.reason;
      if (deadline.timedOut) throw deadline.timeoutError();
      throw new StoreError("unavailable", `${method} ${path} on worker ${this.workerId} failed: ${error}`, {
        cause: error,
      });
    } finally {
      if (upload === undefined) deadline.stop();
      else deadline.close();
    }
    if (response.ok) {
      // The worker answers once it holds every byte it was promised; `fetch` may still be pulling the
      // body. Stop the source now, so a later failure of the gateway's stream (say, a Content-MD5
      // mismatch found at its end) never surfaces inside fetch as an unhandled rejection.
      await upload?.stopSource(undefined);
      return response;
    }
    const error = await this.#errorOf(response, method, path);
    await upload?.stopSource(error);
    throw error;
  }

  /** A PUT with a Content-Length written to a socket; resolves with a 2xx response, or throws the mapped error. */
  async #upload(path: string, contentLength: number, request: PutShardRequest): Promise<Response> {
    const deadline = new WaitDeadline(
      this.#timeoutMs,
      `PUT ${path} on worker ${this.workerId}`,
      request.signal,
    );
    const { url, headers } = await this.#signed("PUT", path);
    let answer: SocketUploadAnswer;
    try {
      answer = await socketUpload({
        url,
        method: "PUT",
        headers: { ...headers, "content-type": "application/octet-stream" },
        contentLength,
        body: request.body,
        onChunkWritten: request.onChunkSent,
        deadline,
      });
    } catch (error) {
      if (error instanceof UploadSourceError) throw error.source;
      throw this.#socketFailure(error, "PUT", path, request.signal, deadline);
    }
    if (answer.response.ok) return answer.response;
    const error = await this.#errorOf(answer.response, "PUT", path);
    await answer.stopSource(error);
    throw error;
  }

  /** The worker URL of `path` and the cluster-signed headers of a `method` request to it. */
  async #signed(method: string, path: string): Promise<{ url: URL; headers: Record<string, string> }> {
    const url = new URL(path, this.baseUrl);
    const headers = await signClusterRequest(await this.#key, method, url.pathname + url.search, Date.now());
    return { url, headers };
  }

  /** What a failed socket transfer throws: the caller's reason, the timeout, or the error naming the worker. */
  #socketFailure(
    error: unknown,
    method: string,
    path: string,
    signal: AbortSignal | undefined,
    deadline: WaitDeadline,
  ): unknown {
    if (signal?.aborted) return signal.reason;
    if (deadline.timedOut) return deadline.timeoutError();
    if (!(error instanceof StoreError)) return error;
    return new StoreError(error.kind, `${method} ${path} on worker ${this.workerId}: ${error.message}`, {
      cause: error,
    });
  }

  async #errorOf(response: Response, method: string, path: string): Promise<StoreError> {
    const text = response.body === null ? "" : await readAll(response.body, MAX_JSON_BODY_BYTES).then(
      (bytes) => new TextDecoder().decode(bytes),
      () => "",
    );
    const body = parseErrorBody(text) ??
      { error: response.headers.get(ERROR_KIND_HEADER) ?? "unknown", message: "(no body)" };
    const status = response.status;
    let kind: StoreErrorKind = "unavailable";
    if (status === 404) kind = "shard_not_found";
    else if (status === 403) kind = "unauthorized";
    else if (status === 507) kind = "disk_full";
    else if (KINDS_FROM_BODY.has(body.error)) kind = body.error as StoreErrorKind;
    else if (status === 416) kind = "invalid_argument";
    return new StoreError(
      kind,
      `Worker ${this.workerId} answered ${method} ${path} with ${status} ${body.error}: ${body.message}`,
    );
  }

  async #readJson<T>(response: Response, method: string, path: string): Promise<T> {
    try {
      const bytes = await readAll(response.body ?? new Blob().stream(), MAX_JSON_BODY_BYTES);
      return JSON.parse(new TextDecoder().decode(bytes)) as T;
    } catch (error) {
      throw new StoreError("unavailable", `Worker ${this.workerId} sent a bad body for ${method} ${path}`, {
        cause: error,
      });
    }
  }
}

/** The blocks a shard read asks for: from `firstBlock` (0 by default), clamped to the end of the shard. */
function requestedBlocks(request: GetShardRequest): { firstBlock: number; blocks: number } {
  const total = blockCount(request.dataLength, request.blockSizeBytes);
  const firstBlock = request.firstBlock ?? 0;
  return { firstBlock, blocks: Math.max(0, Math.min(request.blockCount ?? total, total - firstBlock)) };
}
