/** Random identifiers: data ids and upload ids are 128 random bits as 32 lower-case hex digits. */
import { toHex } from "../storage/mod.ts";

/** A new random 32-hex-digit id. */
export function newRandomId(): string {
  return toHex(crypto.getRandomValues(new Uint8Array(16)));
}
