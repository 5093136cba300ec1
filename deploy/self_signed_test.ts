import { X509Certificate } from "node:crypto";
import { assert, assertEquals } from "../tests/support/asserts.ts";
import { selfSignedPair } from "./self_signed.ts";

Deno.test("selfSignedPair: made once, reused, renewed near expiry or for a host it does not cover", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const now = Date.now();
    const files = await selfSignedPair(dir, "127.0.0.1", now);
    const first = await Deno.readTextFile(files.certFile);
    const certificate = new X509Certificate(first);
    assert(certificate.subjectAltName?.includes("IP Address:127.0.0.1"), certificate.subjectAltName);
    assert(certificate.subjectAltName?.includes("DNS:localhost"), certificate.subjectAltName);
    assertEquals((await Deno.stat(files.keyFile)).mode! & 0o777, 0o600);
    await selfSignedPair(dir, "127.0.0.1", now + 24 * 60 * 60 * 1000);
    assertEquals(await Deno.readTextFile(files.certFile), first, "a valid pair is reused");
    await selfSignedPair(dir, "127.0.0.1", now + 360 * 24 * 60 * 60 * 1000);
    const renewed = await Deno.readTextFile(files.certFile);
    assert(renewed !== first, "a pair within a week of expiry is renewed");
    await selfSignedPair(dir, "s3.example.test", now);
    const named = new X509Certificate(await Deno.readTextFile(files.certFile));
    assert(named.subjectAltName?.includes("DNS:s3.example.test"), named.subjectAltName);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
