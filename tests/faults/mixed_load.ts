/**
 * The load the fault tests drive: PUTs and GETs through the AWS SDK, one after another, every byte read
 * checked against the MD5 of what was acknowledged. A PUT that fails is not acknowledged and promises
 * nothing; a GET may fail under faults but must never return a wrong byte.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { assertEquals, randomBytes } from "../support/asserts.ts";

/** Hex MD5 of `bytes`. */
export function md5(bytes: Uint8Array): string {
  return createHash("md5").update(bytes).digest("hex");
}

/** What one run of the load saw. */
export interface LoadRun {
  readonly putsAcknowledged: number;
  readonly putsFailed: number;
  readonly readsServed: number;
  readonly readsFailed: number;
}

/** Acknowledged writes by key, and a bounded load of PUTs and GETs that checks every byte it reads. */
export class MixedLoad {
  readonly acknowledged = new Map<string, string>();
  #next = 0;
  constructor(public s3: S3Client, readonly bucket = "load") {}

  /** `rounds` of one PUT (acknowledged only when it succeeds) and one GET of an earlier object. */
  async run(rounds: number): Promise<LoadRun> {
    let putsAcknowledged = 0;
    let readsServed = 0;
    let readsAttempted = 0;
    for (let round = 0; round < rounds; round++) {
      const key = `k${this.#next++}`;
      const body = randomBytes(100_000 + ((this.#next * 7919) % 900_000));
      try {
        await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body }));
        this.acknowledged.set(key, md5(body));
        putsAcknowledged++;
      } catch {
        // Not acknowledged: it may or may not exist, and nothing promises it.
      }
      const keys = [...this.acknowledged.keys()];
      if (keys.length === 0) continue;
      readsAttempted++;
      if (await this.check(keys[(round * 31) % keys.length], true)) readsServed++;
    }
    return {
      putsAcknowledged,
      putsFailed: rounds - putsAcknowledged,
      readsServed,
      readsFailed: readsAttempted - readsServed,
    };
  }

  /**
   * Reads `key`; true when it was served. Fails the test on a byte that differs, and on any error unless
   * `errorsAllowed` (a fault may make a read fail, never make it lie).
   */
  async check(key: string, errorsAllowed: boolean): Promise<boolean> {
    let bytes: Uint8Array;
    try {
      const got = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      bytes = await got.Body!.transformToByteArray();
    } catch (error) {
      if (!errorsAllowed) throw error;
      return false;
    }
    assertEquals(md5(bytes), this.acknowledged.get(key), `bytes of ${key}`);
    return true;
  }

  /** Reads every acknowledged write back; none may fail or differ. */
  async checkAll(): Promise<void> {
    for (const key of this.acknowledged.keys()) await this.check(key, false);
  }
}
