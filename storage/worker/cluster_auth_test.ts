import { createHmac } from "node:crypto";
import { assertEquals } from "./test_assert.ts";
import {
  CLUSTER_AUTH_HEADER,
  CLUSTER_DATE_HEADER,
  importClusterKey,
  signClusterRequest,
  verifyClusterRequest,
} from "./cluster_auth.ts";

const SECRET = "s3cr3t";
const NOW_MS = 1_700_000_000_000;
const PATH = "/v1/shards/0123456789abcdef0123456789abcdef/3?blockSize=16&dataLength=40";

async function verify(
  headers: Record<string, string>,
  overrides: { method?: string; path?: string; nowMs?: number } = {},
) {
  return await verifyClusterRequest(
    SECRET,
    {
      method: overrides.method ?? "PUT",
      pathAndQuery: overrides.path ?? PATH,
      headers: new Headers(headers),
    },
    overrides.nowMs ?? NOW_MS,
  );
}

Deno.test("signClusterRequest() is HMAC-SHA256 of method, path and date joined by newlines", async () => {
  const headers = await signClusterRequest(SECRET, "PUT", PATH, NOW_MS);
  const expected = createHmac("sha256", SECRET).update(`PUT\n${PATH}\n${NOW_MS}`).digest("hex");
  assertEquals(headers, { [CLUSTER_DATE_HEADER]: String(NOW_MS), [CLUSTER_AUTH_HEADER]: expected });
});

Deno.test("signClusterRequest() gives the same headers with an imported key", async () => {
  const key = await importClusterKey(SECRET);
  assertEquals(
    await signClusterRequest(key, "GET", PATH, NOW_MS),
    await signClusterRequest(SECRET, "GET", PATH, NOW_MS),
  );
});

Deno.test("verifyClusterRequest() accepts a request signed with the secret within the skew", async () => {
  assertEquals(await verify(await signClusterRequest(SECRET, "PUT", PATH, NOW_MS)), { ok: true });
  assertEquals(await verify(await signClusterRequest(SECRET, "PUT", PATH, NOW_MS - 299_000)), { ok: true });
  assertEquals(await verify(await signClusterRequest(SECRET, "PUT", PATH, NOW_MS + 299_000)), { ok: true });
});

Deno.test("verifyClusterRequest() refuses a wrong secret, method or path", async () => {
  const wrongSecret = await signClusterRequest("other", "PUT", PATH, NOW_MS);
  assertEquals(await verify(wrongSecret), { ok: false, reason: "signature does not match" });
  const good = await signClusterRequest(SECRET, "PUT", PATH, NOW_MS);
  assertEquals((await verify(good, { method: "DELETE" })).ok, false);
  assertEquals((await verify(good, { path: PATH.replace("dataLength=40", "dataLength=41") })).ok, false);
});

Deno.test("verifyClusterRequest() refuses a date outside the allowed skew", async () => {
  const stale = await signClusterRequest(SECRET, "PUT", PATH, NOW_MS - 300_001);
  assertEquals(await verify(stale), {
    ok: false,
    reason: "date is 300001 ms from the worker clock, allowed 300000 ms",
  });
  const future = await signClusterRequest(SECRET, "PUT", PATH, NOW_MS + 300_001);
  assertEquals((await verify(future)).ok, false);
});

Deno.test("verifyClusterRequest() refuses missing or malformed headers", async () => {
  const good = await signClusterRequest(SECRET, "PUT", PATH, NOW_MS);
  assertEquals(await verify({}), { ok: false, reason: "missing x-objstore-date" });
  assertEquals(await verify({ [CLUSTER_DATE_HEADER]: String(NOW_MS) }), {
    ok: false,
    reason: "missing x-objstore-auth",
  });
  assertEquals((await verify({ ...good, [CLUSTER_DATE_HEADER]: `${NOW_MS}.0` })).ok, false);
  assertEquals((await verify({ ...good, [CLUSTER_DATE_HEADER]: `-${NOW_MS}` })).ok, false);
  const upper = good[CLUSTER_AUTH_HEADER].toUpperCase();
  assertEquals((await verify({ ...good, [CLUSTER_AUTH_HEADER]: upper })).ok, false);
  assertEquals(
    (await verify({ ...good, [CLUSTER_AUTH_HEADER]: good[CLUSTER_AUTH_HEADER].slice(2) })).ok,
    false,
  );
});
