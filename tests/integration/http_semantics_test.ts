/**
 * The HTTP semantics of GetObject and HeadObject that CDNs and media players rely on, through a real
 * cluster: every Range form on an object spanning several 6 MiB stripes and on a multipart object,
 * partNumber, each conditional header and their combinations, the 304 header set, response-* overrides
 * (header-signed, presigned and from the SDK), HEAD parity with GET, and no data read when a
 * precondition fails (checked with too few workers left to read anything).
 */
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
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
const SMALL = randomBytes(1000);
const STORED = {
  CacheControl: "public, max-age=60",
  ContentDisposition: 'inline; filename="clip.mp4"',
  ContentEncoding: "identity",
  ContentLanguage: "en-GB",
  Expires: new Date("2037-01-01T00:00:00Z"),
  ContentType: "video/mp4",
  Metadata: { codec: "h264" },
};

interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly bytes: Uint8Array;
}

Deno.test("GET and HEAD HTTP semantics against a real cluster", async (t) => {
  await using cluster = await TestCluster.start();
  const s3 = cluster.client();
  await s3.send(new CreateBucketCommand({ Bucket: "media" }));
  await s3.send(new PutObjectCommand({ Bucket: "media", Key: "striped", Body: STRIPED }));
  await s3.send(new PutObjectCommand({ Bucket: "media", Key: "small", Body: SMALL, ...STORED }));
  const upload = await s3.send(new CreateMultipartUploadCommand({ Bucket: "media", Key: "multi" }));
  const parts = [];
  for (let i = 0, offset = 0; i < PART_SIZES.length; offset += PART_SIZES[i++]) {
    const Body = MULTI.subarray(offset, offset + PART_SIZES[i]);
    const part = { Bucket: "media", Key: "multi", UploadId: upload.UploadId, PartNumber: i + 1, Body };
    parts.push({ PartNumber: i + 1, ETag: (await s3.send(new UploadPartCommand(part))).ETag });
  }
  await s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: "media",
      Key: "multi",
      UploadId: upload.UploadId,
      MultipartUpload: { Parts: parts },
    }),
  );
  const url = (key: string, query = "") =>
    `${cluster.endpoint}/media/${key}${query === "" ? "" : `?${query}`}`;
  const request = async (key: string, headers: Record<string, string> = {}, query = "", method = "GET") => {
    const response = await signedFetch(url(key, query), { method, headers });
    return { status: response.status, headers: response.headers, bytes: await response.bytes() } as Reply;
  };
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
    const size = body.length;
    await t.step(`${key}: every Range form returns exactly those bytes`, async () => {
      const cases: [string, number, number][] = [
        [`bytes=0-99`, 0, 99],
        [`bytes=${STRIPE - 10}-${STRIPE + 9}`, STRIPE - 10, STRIPE + 9],
        [`bytes=${5 * MiB - 3}-${10 * MiB + 2}`, 5 * MiB - 3, 10 * MiB + 2],
        [`bytes=${STRIPE}-`, STRIPE, size - 1],
        [`bytes=-${STRIPE + 1}`, size - STRIPE - 1, size - 1],
        [`bytes=-${size + 50}`, 0, size - 1],
        [`bytes=${size - 5}-${size + 1000}`, size - 5, size - 1],
        [`bytes=${size - 1}-${size - 1}`, size - 1, size - 1],
      ];
      for (const [range, start, end] of cases) expectRange(await request(key, { range }), body, start, end);
    });
    await t.step(`${key}: an unsatisfiable Range is 416 with Content-Range bytes */size`, async () => {
      for (const range of [`bytes=${size}-`, `bytes=${size + 10}-${size + 20}`, "bytes=-0"]) {
        const reply = await request(key, { range });
        assertEquals(reply.status, 416, range);
        assertEquals(reply.headers.get("content-range"), `bytes */${size}`);
        assert(text(reply).includes("<Code>InvalidRange</Code>"));
      }
    });
    await t.step(`${key}: several ranges, or a malformed one, serve the whole object with 200`, async () => {
      for (const range of ["bytes=0-1,5-9", "bytes=9-5", "bytes=x-y"]) {
        const reply = await request(key, { range });
        assertEquals(reply.status, 200, range);
        assertEquals(reply.headers.get("content-range"), null);
        assert(equal(reply.bytes, body), `whole body for ${range}`);
      }
    });
  }

  await t.step("the SDK reads a Range across a stripe boundary", async () => {
    const out = await s3.send(
      new GetObjectCommand({ Bucket: "media", Key: "striped", Range: "bytes=6291455-6291456" }),
    );
    assertEquals(out.ContentRange, `bytes 6291455-6291456/${STRIPED.length}`);
    assertEquals(await out.Body!.transformToByteArray(), STRIPED.subarray(6291455, 6291457));
  });

  await t.step("partNumber=N of a multipart object is part N with x-amz-mp-parts-count", async () => {
    for (let n = 1, start = 0; n <= 3; start += PART_SIZES[n - 1], n++) {
      const reply = await request("multi", {}, `partNumber=${n}`);
      expectRange(reply, MULTI, start, start + PART_SIZES[n - 1] - 1);
      assertEquals(reply.headers.get("x-amz-mp-parts-count"), "3");
      assertEquals(reply.headers.get("etag"), (await request("multi", {}, "", "HEAD")).headers.get("etag"));
    }
    const sdk = await s3.send(new GetObjectCommand({ Bucket: "media", Key: "multi", PartNumber: 2 }));
    assertEquals([sdk.PartsCount, sdk.ContentLength], [3, 5 * MiB]);
    assertEquals(sdk.ContentRange, `bytes ${5 * MiB}-${10 * MiB - 1}/${MULTI.length}`);
    assert(equal(await sdk.Body!.transformToByteArray(), MULTI.subarray(5 * MiB, 10 * MiB)));
    const head = await s3.send(new HeadObjectCommand({ Bucket: "media", Key: "multi", PartNumber: 3 }));
    assertEquals([head.PartsCount, head.ContentLength], [3, MiB + 7]);
    assertEquals(head.ContentRange, `bytes ${10 * MiB}-${MULTI.length - 1}/${MULTI.length}`);
  });

  await t.step(
    "partNumber=1 of a non-multipart object is the whole object (206, no parts count)",
    async () => {
      const reply = await request("striped", {}, "partNumber=1");
      expectRange(reply, STRIPED, 0, STRIPED.length - 1);
      assertEquals(reply.headers.get("x-amz-mp-parts-count"), null);
    },
  );

  await t.step("partNumber past the part count is 416; a bad one 400; with Range 400", async () => {
    for (const [key, query] of [["multi", "partNumber=4"], ["striped", "partNumber=2"]]) {
      for (const method of ["GET", "HEAD"]) {
        const reply = await request(key, {}, query, method);
        assertEquals(reply.status, 416, `${method} ${key}?${query}`);
        assertEquals(reply.headers.get("content-range"), null);
      }
    }
    assert(text(await request("multi", {}, "partNumber=4")).includes("not satisfiable"));
    assertEquals((await request("multi", {}, "partNumber=0")).status, 400);
    const both = await request("multi", { range: "bytes=0-1" }, "partNumber=1");
    assertEquals(both.status, 400);
    assert(text(both).includes("<Code>InvalidRequest</Code>"));
  });

  await t.step("If-Match and If-Unmodified-Since, alone and together", async () => {
    const cases: [Record<string, string>, number][] = [
      [{ "if-match": etag }, 200],
      [{ "if-match": "*" }, 200],
      [{ "if-match": '"0123"' }, 412],
      [{ "if-match": `W/${etag}` }, 412],
      [{ "if-unmodified-since": lastModified }, 200],
      [{ "if-unmodified-since": httpDate(lastModifiedMs - 1000) }, 412],
      [{ "if-unmodified-since": "not a date" }, 200],
      [{ "if-match": etag, "if-unmodified-since": httpDate(lastModifiedMs - 1000) }, 200],
      [{ "if-match": '"0123"', "if-unmodified-since": httpDate(lastModifiedMs + 1000) }, 412],
    ];
    for (const [headers, status] of cases) {
      const reply = await request("striped", headers);
      assertEquals(reply.status, status, JSON.stringify(headers));
      if (status === 412) {
        assert(text(reply).includes("<Code>PreconditionFailed</Code>"), "412 has the S3 error body");
        assertEquals(reply.headers.get("x-amz-request-id")?.length, 16);
      } else assertEquals(reply.bytes.length, STRIPED.length);
    }
    await assertRejectsS3(
      () => s3.send(new GetObjectCommand({ Bucket: "media", Key: "striped", IfMatch: '"0123"' })),
      "PreconditionFailed",
      412,
    );
  });

  await t.step("If-None-Match and If-Modified-Since, alone and together", async () => {
    const future = httpDate(Date.now() + 86_400_000);
    const past = httpDate(lastModifiedMs - 1000);
    const cases: [Record<string, string>, number][] = [
      [{ "if-none-match": etag }, 304],
      [{ "if-none-match": `W/${etag}` }, 304],
      [{ "if-none-match": "*" }, 304],
      [{ "if-none-match": '"0123"' }, 200],
      [{ "if-modified-since": lastModified }, 304],
      [{ "if-modified-since": future }, 304],
      [{ "if-modified-since": past }, 200],
      [{ "if-modified-since": "2026-01-01T00:00:00Z" }, 200],
      [{ "if-none-match": etag, "if-modified-since": past }, 304],
      [{ "if-none-match": '"0123"', "if-modified-since": future }, 200],
      [{ "if-match": '"0123"', "if-none-match": etag }, 412],
    ];
    for (const [headers, status] of cases) {
      assertEquals((await request("striped", headers)).status, status, JSON.stringify(headers));
    }
  });

  await t.step("a 304 keeps ETag, Last-Modified, Cache-Control and Expires, and has no body", async () => {
    const full = await request("small");
    for (const method of ["GET", "HEAD"]) {
      const reply = await request("small", { "if-none-match": full.headers.get("etag")! }, "", method);
      assertEquals(reply.status, 304);
      assertEquals(reply.bytes.length, 0);
      for (const name of ["etag", "last-modified", "cache-control", "expires"]) {
        assertEquals(reply.headers.get(name), full.headers.get(name), name);
      }
      assertEquals(reply.headers.get("x-amz-request-id")?.length, 16);
      assertEquals(reply.headers.get("content-range"), null);
    }
  });

  await t.step("If-Range honours the Range only when its ETag or date matches", async () => {
    const range = { range: "bytes=100-199" };
    expectRange(await request("striped", { ...range, "if-range": etag }), STRIPED, 100, 199);
    expectRange(await request("striped", { ...range, "if-range": lastModified }), STRIPED, 100, 199);
    for (
      const stale of ['"0123"', `W/${etag}`, httpDate(lastModifiedMs - 1000), httpDate(lastModifiedMs + 1000)]
    ) {
      const reply = await request("striped", { ...range, "if-range": stale });
      assertEquals(reply.status, 200, `If-Range ${stale}`);
      assertEquals(reply.bytes.length, STRIPED.length);
    }
    const unsatisfiable = { range: `bytes=${STRIPED.length}-`, "if-range": '"stale"' };
    assertEquals(
      (await request("striped", unsatisfiable)).status,
      200,
      "a stale If-Range drops even a bad Range",
    );
  });

  await t.step("stored headers and metadata come back on GET and HEAD", async () => {
    for (const method of ["GET", "HEAD"]) {
      const reply = await request("small", {}, "", method);
      assertEquals(reply.headers.get("cache-control"), STORED.CacheControl);
      assertEquals(reply.headers.get("content-disposition"), STORED.ContentDisposition);
      assertEquals(reply.headers.get("content-encoding"), STORED.ContentEncoding);
      assertEquals(reply.headers.get("content-language"), STORED.ContentLanguage);
      assertEquals(reply.headers.get("expires"), STORED.Expires.toUTCString());
      assertEquals(reply.headers.get("content-type"), STORED.ContentType);
      assertEquals(reply.headers.get("x-amz-meta-codec"), "h264");
      assertEquals(reply.headers.get("accept-ranges"), "bytes");
      assert(/^"[0-9a-f]{32}"$/.test(reply.headers.get("etag")!), "a strong ETag");
    }
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
    assertEquals(reply.headers.get("cache-control"), "no-store");
    const disposition = Uint8Array.from(reply.headers.get("content-disposition")!, (c) => c.charCodeAt(0));
    assertEquals(new TextDecoder().decode(disposition), 'attachment; filename="été.mp4"');
    assertEquals(reply.headers.get("content-encoding"), "x-test");
    assertEquals(reply.headers.get("content-language"), "fr");
    assertEquals(reply.headers.get("content-type"), "application/x-test");
    assertEquals(reply.headers.get("expires"), "Thu, 01 Jan 2037 00:00:00 GMT");
    assertEquals(reply.headers.get("x-amz-meta-codec"), "h264");
  };

  await t.step("response-* overrides on header-signed GET and HEAD", async () => {
    expectOverridden(await request("small", {}, overrides.toString()));
    expectOverridden(await request("small", {}, overrides.toString(), "HEAD"));
  });

  await t.step("response-* overrides on presigned GET and HEAD URLs", async () => {
    for (const method of ["GET", "HEAD"]) {
      const response = await fetch(await presign(url("small", overrides.toString()), method), { method });
      expectOverridden({ status: response.status, headers: response.headers, bytes: await response.bytes() });
    }
  });

  await t.step("response-* overrides from the SDK (GetObject and HeadObject)", async () => {
    const input = {
      Bucket: "media",
      Key: "small",
      ResponseContentType: "text/x-sdk",
      ResponseCacheControl: "private",
    };
    const got = await s3.send(new GetObjectCommand(input));
    assertEquals([got.ContentType, got.CacheControl], ["text/x-sdk", "private"]);
    await got.Body!.transformToByteArray();
    const head = await s3.send(new HeadObjectCommand(input));
    assertEquals([head.ContentType, head.CacheControl], ["text/x-sdk", "private"]);
  });

  await t.step("an anonymous GET with response-* overrides is refused", async () => {
    const response = await fetch(url("small", "response-content-type=text/plain"));
    const body = await response.text();
    // Anonymous requests are AccessDenied today; with anonymous access they must be InvalidRequest.
    assert(
      (response.status === 403 && body.includes("AccessDenied")) ||
        (response.status === 400 && body.includes("InvalidRequest")),
      `got ${response.status}: ${body}`,
    );
  });

  await t.step("HEAD answers with GET's status and headers for every kind of request", async () => {
    const variants: [string, Record<string, string>, string][] = [
      ["small", {}, ""],
      ["striped", { range: "bytes=10-20" }, ""],
      ["striped", { range: `bytes=${STRIPED.length}-` }, ""],
      ["multi", {}, "partNumber=2"],
      ["small", {}, overrides.toString()],
      ["striped", { "if-none-match": etag }, ""],
      ["striped", { "if-match": '"0123"' }, ""],
      ["striped", { range: "bytes=0-9", "if-range": '"0123"' }, ""],
      ["missing", {}, ""],
    ];
    for (const [key, headers, query] of variants) {
      const [get, head] = [await request(key, headers, query), await request(key, headers, query, "HEAD")];
      const what = `${key} ${JSON.stringify(headers)} ${query}`;
      assertEquals(head.status, get.status, what);
      assertEquals(head.bytes.length, 0, what);
      if (get.status >= 400) continue;
      assertEquals(comparable(head.headers), comparable(get.headers), what);
    }
  });

  await t.step("a failed precondition never reads data (too few workers left to read)", async () => {
    for (const id of cluster.workerIds.slice(0, 4)) await cluster.stopWorker(id);
    assertEquals((await request("striped")).status, 503, "a plain GET needs the workers");
    assertEquals((await request("striped", { "if-none-match": etag })).status, 304);
    assertEquals((await request("striped", { "if-modified-since": lastModified })).status, 304);
    assertEquals((await request("striped", { "if-match": '"0123"' })).status, 412);
    assertEquals((await request("striped", { "if-unmodified-since": httpDate(0) })).status, 412);
    assertEquals((await request("multi", { "if-none-match": "*" }, "partNumber=2")).status, 304);
    assertEquals((await request("striped", { "if-match": etag }, "", "HEAD")).status, 200);
  });
});

/** A presigned URL for `method` on `target` (query included), signed with the test root user. */
async function presign(target: string, method: string): Promise<string> {
  const parsed = new URL(target);
  const signer = new SignatureV4({
    service: "s3",
    region: "us-east-1",
    credentials: TEST_CREDENTIALS,
    sha256: Sha256,
    uriEscapePath: false,
  });
  const query: Record<string, string> = Object.fromEntries(parsed.searchParams);
  const signed = await signer.presign(
    {
      method,
      protocol: parsed.protocol,
      hostname: parsed.hostname,
      port: Number(parsed.port),
      path: parsed.pathname,
      query,
      headers: { host: parsed.host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
    },
    { expiresIn: 900 },
  );
  const encode = (value: string) =>
    encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const search = Object.entries(signed.query ?? {}).map(([name, value]) =>
    `${encode(name)}=${encode(String(value))}`
  );
  return `${parsed.origin}${parsed.pathname}?${search.join("&")}`;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

function text(reply: Reply): string {
  return new TextDecoder().decode(reply.bytes);
}

/** Response headers minus those that differ between any two responses. */
function comparable(headers: Headers): [string, string][] {
  return [...headers].filter(([name]) => name !== "date" && name !== "x-amz-request-id");
}
