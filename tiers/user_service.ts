/**
 * Users and their access keys, created and revoked by the root user (whose own key is configuration, not
 * stored). A user is a name; each of its keys carries the user's canonical id, which owns the buckets the
 * user creates. Lookups are cached in memory and exactly coherent with this gateway's own commits (the
 * embedded metadata store has no other writer), so a revoked key stops working on the next request.
 */
import { createHash } from "node:crypto";
import {
  type AccessKeyRecord,
  type Clock,
  type MetadataCatalog,
  metaKeys,
  StoreError,
  toBase64,
} from "../storage/mod.ts";

/** A user's name: what the root user calls it; `root` is the root user's own. */
const USER_NAME = /^[A-Za-z0-9+=,.@_-]{1,64}$/;
/** The name the root user goes by; no stored user may take it. */
export const ROOT_USER_NAME = "root";
/** Most keys one user may hold at once (as AWS IAM allows two; a little more room for rotation). */
export const MAX_KEYS_PER_USER = 4;
const ACCESS_KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** A new access key and its secret, shown once. */
export interface IssuedAccessKey {
  readonly accessKeyId: string;
  readonly secretKey: string;
  readonly userName: string;
  readonly userId: string;
  readonly createdMs: number;
}

/** Options of the user service. */
export interface UserServiceOptions {
  readonly catalog: MetadataCatalog;
  readonly clock: Clock;
  /** The root user's access key id: never issued to a stored user. */
  readonly rootAccessKeyId: string;
}

/** Access keys of the users other than root. */
export class UserService {
  readonly #options: UserServiceOptions;
  /** Keys by id; null records a key known not to exist. Bounded: cleared when full. */
  readonly #cache = new Map<string, AccessKeyRecord | null>();
  static readonly #MAX_CACHED = 10_000;
  /** Bumped by every change, so a lookup that raced one does not cache what it read before it. */
  #generation = 0;

  constructor(options: UserServiceOptions) {
    this.#options = options;
  }

  /** The canonical id of user `userName` (64 hex digits), stable across its keys. */
  static userId(userName: string): string {
    return createHash("sha256").update(`objstore-user-name:${userName}`).digest("hex");
  }

  /** Issues a new access key for `userName` (the user exists from its first key on). */
  async createKey(userName: string): Promise<IssuedAccessKey> {
    if (!USER_NAME.test(userName) || userName === ROOT_USER_NAME) {
      throw new StoreError(
        "invalid_argument",
        `A user name is 1-64 letters, digits or +=,.@_- and not "${ROOT_USER_NAME}"; got ${
          JSON.stringify(userName)
        }`,
      );
    }
    const { catalog, clock } = this.#options;
    const held = (await this.listKeys()).filter((key) => key.userName === userName).length;
    if (held >= MAX_KEYS_PER_USER) {
      throw new StoreError("invalid_argument", `User ${userName} already holds ${held} access keys`);
    }
    for (let attempt = 0; attempt < 4; attempt++) {
      const record: AccessKeyRecord = {
        v: 1,
        accessKeyId: newAccessKeyId(),
        secretKey: newSecretKey(),
        userName,
        userId: UserService.userId(userName),
        createdMs: clock.nowMs(),
      };
      if (record.accessKeyId === this.#options.rootAccessKeyId) continue;
      const committed = await catalog.transaction()
        .check(metaKeys.accessKey(record.accessKeyId), null)
        .putAccessKey(record)
        .commit();
      if (committed !== null) {
        this.#generation++;
        this.#cache.delete(record.accessKeyId);
        const { v: _v, ...issued } = record;
        return issued;
      }
    }
    throw new StoreError("conflict", "Could not draw an unused access key id");
  }

  /** Revokes `accessKeyId`: from the next request on it is unknown. Throws `invalid_argument` if absent. */
  async revokeKey(accessKeyId: string): Promise<void> {
    const { catalog } = this.#options;
    const current = await catalog.getAccessKey(accessKeyId);
    if (current === null) throw new StoreError("invalid_argument", `No access key ${accessKeyId}`);
    // Refused from now on, even by requests that arrive while the commit is in flight.
    this.#generation++;
    this.#cache.set(accessKeyId, null);
    try {
      await catalog.transaction().delete(metaKeys.accessKey(accessKeyId)).commit();
    } catch (error) {
      this.#cache.delete(accessKeyId);
      throw error;
    }
    this.#generation++;
  }

  /** Every stored access key (secrets included: callers show only what they should). */
  async listKeys(): Promise<AccessKeyRecord[]> {
    const all: AccessKeyRecord[] = [];
    for (let page = await this.#options.catalog.listAccessKeys(); page.length > 0;) {
      all.push(...page);
      page = await this.#options.catalog.listAccessKeys(undefined, page.at(-1)!.accessKeyId);
    }
    return all;
  }

  /** The key `accessKeyId`, or null when no user holds it. */
  async lookup(accessKeyId: string): Promise<AccessKeyRecord | null> {
    const cached = this.#cache.get(accessKeyId);
    if (cached !== undefined) return cached;
    const generation = this.#generation;
    const found = (await this.#options.catalog.getAccessKey(accessKeyId))?.record ?? null;
    if (generation !== this.#generation) {
      return (await this.#options.catalog.getAccessKey(accessKeyId))?.record ?? null;
    }
    if (this.#cache.size >= UserService.#MAX_CACHED) this.#cache.clear();
    this.#cache.set(accessKeyId, found);
    return found;
  }
}

/** 20 characters, `OBJS` then 16 drawn from A-Z and 2-7 (80 random bits), like AWS key ids. */
function newAccessKeyId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let id = "OBJS";
  for (const byte of bytes) id += ACCESS_KEY_ALPHABET[byte & 31];
  return id;
}

/** 40 characters of base64 (240 random bits), like AWS secret keys. */
function newSecretKey(): string {
  return toBase64(crypto.getRandomValues(new Uint8Array(30)));
}
