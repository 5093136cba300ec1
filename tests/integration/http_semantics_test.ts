/**
 * GetObject and HeadObject semantics that CDNs and media players rely on, through a real cluster: Range
 * forms on a many-stripe and a multipart object, partNumber, conditional headers alone and combined, the
 * 304 header set (Vary kept), If-Range with a strong or weak date, response-* overrides (signed,
 * presigned, SDK), HEAD parity with GET, and no data read when a precondition fails (checked with too few
 * workers left to read anything).
 */
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketCorsCommand,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { assert, assertEquals, assertRejectsS3, randomBytes } from "../support/asserts.ts";
import { TEST_CREDENTIALS, TestCluster } from "../support/cluster.ts";
import { signedFetch } from "../support/signed_fetch.ts";

const MiB = 1024 * 1024;
const STRIPE = 6 * MiB;
/** Two stripes and a bit: ranges cross stripe boundaries. */
const STRIPED = randomBytes(2 * STRIPE + 12_345);
const PART_SIZES = [5 * MiB, 5 * MiB, MiB + 7];
const MULTI = randomBytes(PART_SIZES.reduce((a, b) => a + b, 0));
/** Headers the small object is stored with, which GET and HEAD must answer with. */
const STORED_HEADERS: Fields = {
  "cache-control": "public, max-age=60",
  "content-disposition": 'inline; filename="clip.mp4"',
  "content-encoding": "identity",
  "content-language": "en-GB",
  "expires": "Thu, 01 Jan 2037 00:00:00 GMT",
  "content-type": "video/mp4",
  "x-amz-meta-codec": "h264",
};

/** A response, its body read; header names and values. */
type Reply = { readonly status: number; readonly headers: Headers; readonly bytes: Uint8Array };
type Fields = Record<string, string>;

Deno.test("GET and HEAD HTTP semantics against a real cluster", async (t) => {
  await using cluster = await TestCluster.start();
  const s3 = cluster.client();
  await s3.send(new CreateBucketCommand({ Bucket: "media" }));
  const multi = { Bucket: "media", Key: "multi" };
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand(multi));
  const Parts = [];
  for (let i = 0, at = 0; i < PART_SIZES.length; at += PART_SIZES[i++]) {
    const input = { ...multi, UploadId, PartNumber: i + 1, Body: MULTI.subarray(at, at + PART_SIZES[i]) };
    Parts.push({ PartNumber: i + 1, ETag: (await s3.send(new UploadPartCommand(input))).ETag });
  }
  await s3.send(new CompleteMultipartUploadCommand({ ...multi, UploadId, MultipartUpload: { Parts } }));
  /** Sends `target`, "[METHOD ]key[?query]" (GET by default), signed, with `headers` and `body`. */
  const request = async (target: string, headers: Fields = {}, body?: Uint8Array<ArrayBuffer>) => {
    const [method, path] = target.includes(" ") ? target.split(" ") : ["GET", target];
    return await read(await signedFetch(`${cluster.endpoint}/media/${path}`, { method, headers, body }));
  };
  assertEquals((await request("PUT striped", {}, STRIPED)).status, 200);
  assertEquals((await request("PUT small", STORED_HEADERS, randomBytes(1000))).status, 200);
  assertEquals((await request("PUT public", { "x-amz-acl": "public-read" }, randomBytes(100))).status, 200);
  const striped = await request("striped");
  const etag = striped.headers.get("etag")!;
  const lastModified = striped.headers.get("last-modified")!;
  const lastModifiedMs = Date.parse(lastModified);
  const httpDate = (ms: number) => new Date(ms).toUTCString();
  const expectRange = (reply: Reply, body: Uint8Array, start: number, end: number) => {
    assertEquals(reply.status, 206, `status of bytes ${start}-${end}`);
    assertEquals(reply.headers.get("content-range"), `bytes ${start}-${end}/${body.length}`);
    assertEquals(reply.headers.get("content-length"), String(end - start + 1));
    assert(reply.bytes.length === end - start + 1 && equal(reply.bytes, body.subarray(start, end + 1)));
  };

  for (const [key, body] of [["striped", STRIPED], ["multi", MULTI]] as const) {
    await t.step(`${key}: every Range form; unsatisfiable is 416; several or malformed are 200`, async () => {
      const size = body.length;
      // [Range, served bytes] or [Range, status]: 416 with `bytes */size`, or 200 with the whole object.
      const cases: [string, [number, number] | 200 | 416][] = [
        ["bytes=0-99", [0, 99]],
        [`bytes=${STRIPE - 10}-${STRIPE + 9}`, [STRIPE - 10, STRIPE + 9]],
        [`bytes=${5 * MiB - 3}-${10 * MiB + 2}`, [5 * MiB - 3, 10 * MiB + 2]],
        [`bytes=${STRIPE}-`, [STRIPE, size - 1]],
        [`bytes=-${STRIPE + 1}`, [size - STRIPE - 1, size - 1]],
        [`bytes=-${size + 50}`, [0, size - 1]],
        [`bytes=${size - 5}-${size + 1000}`, [size - 5, size - 1]],
        [`bytes=${size - 1}-${size - 1}`, [size - 1, size - 1]],
        [`bytes=${size}-`, 416],
        [`bytes=${size + 10}-${size + 20}`, 416],
        ["bytes=-0", 416],
        ["bytes=0-1,5-9", 200],
        ["bytes=9-5", 200],
        ["bytes=x-y", 200],
      ];
      for (const [range, expected] of cases) {
        const reply = await request(key, { range });
        if (Array.isArray(expected)) expectRange(reply, body, ...expected);
        else {
          // 416 names the size (`bytes */SIZE`); a 200 carries no Content-Range at all.
          const contentRange = expected === 416 ? `bytes */${size}` : null;
          assertEquals([reply.status, reply.headers.get("content-range")], [expected, contentRange], range);
        }
        if (expected === 416) assert(text(reply).includes("<Code>InvalidRange</Code>"));
        if (expected === 200) assert(equal(reply.bytes, body), `whole body for ${range}`);
      }
    });
  }

  await t.step("partNumber=N is part N (206, x-amz-mp-parts-count); past the count 416", async () => {
    for (let n = 1, start = 0; n <= 3; start += PART_SIZES[n - 1], n++) {
      const reply = await request(`multi?partNumber=${n}`);
      expectRange(reply, MULTI, start, start + PART_SIZES[n - 1] - 1);
      assertEquals(reply.headers.get("x-amz-mp-parts-count"), "3");
      assertEquals(reply.headers.get("etag"), (await request("HEAD multi")).headers.get("etag"));
    }
    const sdk = await s3.send(new GetObjectCommand({ ...multi, PartNumber: 2 }));
    assertEquals([sdk.PartsCount, sdk.ContentLength], [3, 5 * MiB]);
    assertEquals(sdk.ContentRange, `bytes ${5 * MiB}-${10 * MiB - 1}/${MULTI.length}`);
    assert(equal(await sdk.Body!.transformToByteArray(), MULTI.subarray(5 * MiB, 10 * MiB)));
    const head = await s3.send(new HeadObjectCommand({ ...multi, PartNumber: 3 }));
    assertEquals([head.PartsCount, head.ContentLength], [3, MiB + 7]);
    assertEquals(head.ContentRange, `bytes ${10 * MiB}-${MULTI.length - 1}/${MULTI.length}`);
    // An object uploaded whole is one part: partNumber=1 is all of it, still 206, and no parts count.
    const whole = await request("striped?partNumber=1");
    expectRange(whole, STRIPED, 0, STRIPED.length - 1);
    assertEquals(whole.headers.get("x-amz-mp-parts-count"), null);
    // Past the part count is 416; a bad partNumber is 400; with a Range too 400.
    for (const target of ["multi?partNumber=4", "HEAD multi?partNumber=4", "striped?partNumber=2"]) {
      const reply = await request(target);
      assertEquals([reply.status, reply.headers.get("content-range")], [416, null], target);
    }
    assert(text(await request("multi?partNumber=4")).includes("<Code>InvalidPartNumber</Code>"));
    assertEquals((await request("multi?partNumber=0")).status, 400);
    const both = await request("multi?partNumber=1", { range: "bytes=0-1" });
    assertEquals([both.status, text(both).includes("<Code>InvalidRequest</Code>")], [400, true]);
  });

  await t.step("each conditional header, and combinations, give RFC 9110's status", async () => {
    const [past, future] = [httpDate(lastModifiedMs - 1000), httpDate(Date.now() + 86_400_000)];
    const cases: [Fields, number][] = [
      [{ "if-match": etag }, 200],
      [{ "if-match": '"0123"' }, 412],
      [{ "if-unmodified-since": lastModified }, 200],
      [{ "if-unmodified-since": past }, 412],
      [{ "if-match": etag, "if-unmodified-since": past }, 200],
      [{ "if-none-match": etag }, 304],
      [{ "if-none-match": '"0123"' }, 200],
      [{ "if-modified-since": future }, 304],
      [{ "if-modified-since": past }, 200],
      [{ "if-modified-since": "2026-01-01T00:00:00Z" }, 200],
      [{ "if-none-match": etag, "if-modified-since": past }, 304],
      [{ "if-none-match": '"0123"', "if-modified-since": future }, 200],
      [{ "if-match": '"0123"', "if-none-match": etag }, 412],
    ];
    for (const [headers, status] of cases) {
      const reply = await request("striped", headers);
      assertEquals(reply.status, status, JSON.stringify(headers));
      if (status === 200) assertEquals(reply.bytes.length, STRIPED.length);
      if (status === 412) assert(text(reply).includes("<Code>PreconditionFailed</Code>"), "S3 error body");
      if (status !== 200) assertEquals(reply.headers.get("x-amz-request-id")?.length, 16);
    }
    const input = { Bucket: "media", Key: "striped", IfMatch: '"0123"' };
    await assertRejectsS3(() => s3.send(new GetObjectCommand(input)), "PreconditionFailed", 412);
  });

  await t.step(
    "stored headers come back; a 304 keeps ETag, Last-Modified, Cache-Control, Expires",
    async () => {
      const full = await request("small");
      assertEquals(pick(full.headers, Object.keys(STORED_HEADERS)), STORED_HEADERS);
      assertEquals(full.headers.get("accept-ranges"), "bytes");
      assert(/^"[0-9a-f]{32}"$/.test(full.headers.get("etag")!), "a strong ETag");
      for (const method of ["GET", "HEAD"]) {
        const reply = await request(`${method} small`, { "if-none-match": full.headers.get("etag")! });
        assertEquals([reply.status, reply.bytes.length, reply.headers.get("x-amz-request-id")?.length], [
          304,
          0,
          16,
        ]);
        const kept = ["etag", "last-modified", "cache-control", "expires"];
        assertEquals(pick(reply.headers, kept), pick(full.headers, kept));
      }
    },
  );

  await t.step("a 304 of a bucket with CORS rules keeps Vary: Origin (RFC 9110 §15.4.5)", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "web" }));
    const CORSRules = [{ AllowedOrigins: ["https://app.example"], AllowedMethods: ["GET", "HEAD"] }];
    await s3.send(new PutBucketCorsCommand({ Bucket: "web", CORSConfiguration: { CORSRules } }));
    const put = await signedFetch(`${cluster.endpoint}/web/page`, { method: "PUT", body: "hello" });
    assertEquals(put.status, 200);
    await put.body?.cancel();
    const web = async (target: string, headers: Fields) => {
      const [method, path] = target.split(" ");
      return await read(await signedFetch(`${cluster.endpoint}/web/${path}`, { method, headers }));
    };
    const full = await web("GET page", {});
    assertEquals([full.status, full.headers.get("vary")], [200, "Origin"]);
    const tag = full.headers.get("etag")!;
    for (const method of ["GET", "HEAD"]) {
      for (const origin of [{}, { origin: "https://app.example" }] as Fields[]) {
        const reply = await web(`${method} page`, { "if-none-match": tag, ...origin });
        const what = `${method} ${JSON.stringify(origin)}`;
        assertEquals([reply.status, reply.headers.get("vary"), reply.headers.get("etag")], [
          304,
          "Origin",
          tag,
        ], what);
      }
    }
  });

  await t.step("If-Range honours the Range only when its ETag or date matches", async () => {
    const range = { range: "bytes=100-199" };
    expectRange(await request("striped", { ...range, "if-range": etag }), STRIPED, 100, 199);
    // A Last-Modified less than a second before the response's Date is a weak validator (RFC 9110
    // §8.8.2.2): If-Range with it serves the whole object, even though the date matches.
    const fresh = randomBytes(1000);
    const before = Date.now();
    assertEquals((await request("PUT fresh", {}, fresh)).status, 200);
    const written = Date.now();
    const freshHead = (await request("HEAD fresh")).headers;
    const freshModified = freshHead.get("last-modified")!;
    const early = await request("fresh", { ...range, "if-range": freshModified });
    // Only conclusive when PUT to GET took under a second (it takes milliseconds).
    if (Date.now() - before < 1000) {
      assertEquals([early.status, early.bytes.length], [200, fresh.length], "a weak date");
      assertEquals(early.headers.get("content-range"), null);
    }
    // The ETag is strong however recent the write.
    expectRange(await request("fresh", { ...range, "if-range": freshHead.get("etag")! }), fresh, 100, 199);
    // A second after the write the same date is strong, and the range is honoured.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, written + 1100 - Date.now())));
    expectRange(await request("fresh", { ...range, "if-range": freshModified }), fresh, 100, 199);
    expectRange(await request("striped", { ...range, "if-range": lastModified }), STRIPED, 100, 199);
    const stales = ['"0123"', `W/${etag}`, httpDate(lastModifiedMs - 1000), httpDate(lastModifiedMs + 1000)];
    for (const stale of stales) {
      const reply = await request("striped", { ...range, "if-range": stale });
      assertEquals(reply.status, 200, `If-Range ${stale}`);
      assertEquals(reply.bytes.length, STRIPED.length);
    }
    const unsatisfiable = { range: `bytes=${STRIPED.length}-`, "if-range": '"stale"' };
    assertEquals((await request("striped", unsatisfiable)).status, 200, "a stale If-Range drops a bad Range");
  });

  const overrides = new URLSearchParams({
    "response-cache-control": "no-store",
    "response-content-disposition": 'attachment; filename="été.mp4"',
    "response-content-encoding": "x-test",
    "response-content-language": "fr",
    "response-content-type": "application/x-test",
    "response-expires": "Thu, 01 Jan 2037 00:00:00 GMT",
  });
  const expectOverridden = (reply: Reply) => {
    assertEquals(reply.status, 200);
    const expected: Fields = { "x-amz-meta-codec": "h264" };
    // Header values are bytes: the non-ASCII file name arrives as its UTF-8 bytes.
    const asBytes = (value: string) => String.fromCharCode(...new TextEncoder().encode(value));
    for (const [name, value] of overrides) expected[name.slice("response-".length)] = asBytes(value);
    assertEquals(pick(reply.headers, Object.keys(expected)), expected);
  };

  await t.step("response-* overrides on header-signed, presigned and SDK GET and HEAD", async () => {
    for (const method of ["GET", "HEAD"]) {
      expectOverridden(await request(`${method} small?${overrides}`));
      const presigned = await presign(`${cluster.endpoint}/media/small?${overrides}`, method);
      expectOverridden(await read(await fetch(presigned, { method })));
    }
    const sdkOverrides = { ResponseContentType: "text/x", ResponseCacheControl: "private" };
    const got = await s3.send(new GetObjectCommand({ Bucket: "media", Key: "small", ...sdkOverrides }));
    await got.Body!.transformToByteArray();
    const head = await s3.send(new HeadObjectCommand({ Bucket: "media", Key: "small", ...sdkOverrides }));
    assertEquals([got.ContentType, got.CacheControl], ["text/x", "private"]);
    assertEquals([head.ContentType, head.CacheControl], ["text/x", "private"]);
  });

  await t.step("anonymous GET of a public object: response-* refused, preconditions hold", async () => {
    const anonymous = async (target: string, headers: Fields = {}) =>
      await read(await fetch(`${cluster.endpoint}/media/${target}`, { headers }));
    const open = await anonymous("public");
    assertEquals([open.status, open.bytes.length], [200, 100]);
    const refused = await anonymous("public?response-content-type=text/plain");
    assertEquals([refused.status, text(refused).includes("cannot be used for anonymous GET")], [400, true]);
    assertEquals((await anonymous("public", { "if-none-match": open.headers.get("etag")! })).status, 304);
    for (const hidden of ["small", "missing"]) assertEquals((await anonymous(hidden)).status, 403, hidden);
  });

  await t.step("HEAD answers with GET's status and headers for every kind of request", async () => {
    const variants: [string, Fields][] = [
      ["small", {}],
      ["striped", { range: "bytes=10-20" }],
      ["multi?partNumber=2", {}],
      ["striped", { range: `bytes=${STRIPED.length}-` }],
      [`small?${overrides}`, {}],
      ["striped", { "if-none-match": etag }],
      ["striped", { "if-match": '"0123"' }],
      ["striped", { range: "bytes=0-9", "if-range": '"0123"' }],
      ["missing", {}],
    ];
    for (const [target, headers] of variants) {
      const [get, head] = [await request(target, headers), await request(`HEAD ${target}`, headers)];
      const what = `${target} ${JSON.stringify(headers)}`;
      assertEquals([head.status, head.bytes.length], [get.status, 0], what);
      if (get.status < 400) assertEquals(comparable(head.headers), comparable(get.headers), what);
    }
  });

  await t.step("a failed precondition never reads data (too few workers left to read)", async () => {
    for (const id of cluster.workerIds.slice(0, 4)) await cluster.stopWorker(id);
    assertEquals((await request("striped")).status, 503, "a plain GET needs the workers");
    assertEquals((await request("striped", { "if-none-match": etag })).status, 304);
    assertEquals((await request("striped", { "if-modified-since": lastModified })).status, 304);
    assertEquals((await request("striped", { "if-match": '"0123"' })).status, 412);
    assertEquals((await request("striped", { "if-unmodified-since": httpDate(0) })).status, 412);
    assertEquals((await request("multi?partNumber=2", { "if-none-match": "*" })).status, 304);
    assertEquals((await request("HEAD striped", { "if-match": etag })).status, 200);
  });
});

/** A presigned URL for `method` on `target` (query included), signed with the test root user. */
async function presign(target: string, method: string): Promise<string> {
  const { protocol, hostname, port, host, pathname: path, origin, searchParams } = new URL(target);
  const credentials = TEST_CREDENTIALS;
  const signer = new SignatureV4({ service: "s3", region: "us-east-1", credentials, sha256: Sha256 });
  const headers = { host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" };
  const query = Object.fromEntries(searchParams);
  const request = { method, protocol, hostname, port: Number(port), path, query, headers };
  const signed = await signer.presign(request, { expiresIn: 900 });
  const encode = (value: string) =>
    encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const pairs = Object.entries(signed.query ?? {}).map(([k, v]) => `${encode(k)}=${encode(`${v}`)}`);
  return `${origin}${path}?${pairs.join("&")}`;
}

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
const text = (reply: Reply) => new TextDecoder().decode(reply.bytes);
/** `response` with its body read. */
const read = async (r: Response): Promise<Reply> => ({
  status: r.status,
  headers: r.headers,
  bytes: await r.bytes(),
});
/** The values of the headers `names`. */
const pick = (headers: Headers, names: string[]) => Object.fromEntries(names.map((n) => [n, headers.get(n)]));
/** Response headers minus those that differ between any two responses. */
const comparable = (headers: Headers) =>
  [...headers].filter(([n]) => n !== "date" && n !== "x-amz-request-id");
