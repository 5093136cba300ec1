/**
 * Bad input gets a clear S3 error and changes nothing: bodies shorter or longer than Content-Length,
 * a tampered payload hash, a wrong Content-MD5, malformed XML, invalid UTF-8 in a key, a bad
 * signature; plus `Expect: 100-continue` and `x-amz-request-id` on every response.
 */
import { HeadObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { TestCluster } from "../support/cluster.ts";
import { assert, assertEquals, assertRejectsS3 } from "../support/asserts.ts";
import { signedFetch, signedHeaders } from "../support/signed_fetch.ts";
import { rawRequest } from "../support/raw_http.ts";
import { shardFiles, waitFor } from "../support/shard_files.ts";

Deno.test("bad input gets a clear S3 error and changes nothing", async (t) => {
  await using cluster = await TestCluster.start({
    gatewayEnv: { OBJSTORE_GC_GRACE_MS: "500", OBJSTORE_GC_INTERVAL_MS: "200" },
  });
  const s3 = cluster.client();
  const base = cluster.endpoint;
  await (await signedFetch(`${base}/bad-input`, { method: "PUT" })).body?.cancel();
  const dirs = cluster.workerIds.map((id) => cluster.workerDir(id));

  async function rawPut(
    key: string,
    declaredLength: number,
    body: Uint8Array,
    extra: Record<string, string> = {},
  ) {
    const headers = await signedHeaders(`${base}/bad-input/${key}`, {
      method: "PUT",
      headers: { "content-length": String(declaredLength), ...extra },
    });
    const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`).join("\r\n");
    return await rawRequest(base, `PUT /bad-input/${key} HTTP/1.1\r\n${lines}`, body, {
      closeWriteAfterBody: true,
    });
  }

  await t.step("a body shorter than Content-Length stores nothing (inline and regional sizes)", async () => {
    for (const size of [1000, 3_000_000]) {
      const response = await rawPut(`short-${size}`, size, new Uint8Array(size - 10));
      assert(response.status === 400 || response.status === 0, `status ${response.status}: ${response.body}`);
      await assertRejectsS3(
        () => s3.send(new HeadObjectCommand({ Bucket: "bad-input", Key: `short-${size}` })),
        "NotFound",
        404,
      );
    }
  });

  await t.step("bytes past Content-Length are never part of the object", async () => {
    // HTTP/1.1 frames the body by Content-Length: what follows is a (malformed) next request. Whatever
    // the connection's fate, the key holds either nothing or exactly the declared 100 bytes.
    await rawPut("long", 100, new Uint8Array(200).fill(7));
    const got = await signedFetch(`${base}/bad-input/long`, { method: "GET" });
    if (got.status === 404) {
      await got.body?.cancel();
      return;
    }
    assertEquals(got.status, 200);
    assertEquals(new Uint8Array(await got.arrayBuffer()), new Uint8Array(100).fill(7));
  });

  await t.step(
    "a payload that does not match x-amz-content-sha256 is XAmzContentSHA256Mismatch",
    async () => {
      const body = new TextEncoder().encode("the real body");
      const claimed = createHash("sha256").update("another body").digest("hex");
      const response = await signedFetch(`${base}/bad-input/sha`, {
        method: "PUT",
        body,
        payloadHash: claimed,
      });
      assertEquals(response.status, 400);
      assert((await response.text()).includes("<Code>XAmzContentSHA256Mismatch</Code>"));
      await assertRejectsS3(
        () => s3.send(new HeadObjectCommand({ Bucket: "bad-input", Key: "sha" })),
        "NotFound",
        404,
      );
    },
  );

  await t.step("a wrong Content-MD5 is BadDigest, for inline and regional sizes", async () => {
    for (const size of [10, 2_000_000]) {
      const body = new Uint8Array(size).fill(1);
      const wrong = createHash("md5").update("x").digest("base64");
      const response = await signedFetch(`${base}/bad-input/md5-${size}`, {
        method: "PUT",
        body,
        headers: { "content-md5": wrong },
      });
      assertEquals(response.status, 400);
      assert((await response.text()).includes("<Code>BadDigest</Code>"));
      await assertRejectsS3(
        () => s3.send(new HeadObjectCommand({ Bucket: "bad-input", Key: `md5-${size}` })),
        "NotFound",
        404,
      );
    }
  });

  await t.step("malformed CompleteMultipartUpload XML is MalformedXML", async () => {
    const created = await signedFetch(`${base}/bad-input/mp?uploads`, { method: "POST" });
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(await created.text())![1];
    for (const body of ["<CompleteMultipartUpload><Part>", "not xml at all", "<Other/>", ""]) {
      const response = await signedFetch(`${base}/bad-input/mp?uploadId=${uploadId}`, {
        method: "POST",
        body,
      });
      assertEquals(response.status, 400, body);
      assert((await response.text()).includes("<Code>MalformedXML</Code>"), body);
    }
  });

  await t.step("an unknown upload id is NoSuchUpload", async () => {
    const response = await signedFetch(
      `${base}/bad-input/mp?uploadId=00000000000000000000000000000000&partNumber=1`,
      {
        method: "PUT",
        body: "x",
      },
    );
    assertEquals(response.status, 404);
    assert((await response.text()).includes("<Code>NoSuchUpload</Code>"));
  });

  await t.step("a key with invalid UTF-8 is refused", async () => {
    const response = await signedFetch(`${base}/bad-input/bad%FFkey`, { method: "PUT", body: "x" });
    assertEquals(response.status, 400);
    await response.body?.cancel();
  });

  await t.step("a tampered signature is SignatureDoesNotMatch and stores nothing", async () => {
    const headers = await signedHeaders(`${base}/bad-input/tampered`, {
      method: "PUT",
      headers: { "content-length": "5" },
    });
    headers.authorization = headers.authorization.replace(
      /Signature=([0-9a-f])/,
      (_, c) => `Signature=${c === "0" ? "1" : "0"}`,
    );
    const response = await fetch(`${base}/bad-input/tampered`, { method: "PUT", headers, body: "hello" });
    assertEquals(response.status, 403);
    assert((await response.text()).includes("<Code>SignatureDoesNotMatch</Code>"));
    assert(response.headers.get("x-amz-request-id") !== null, "errors carry x-amz-request-id");
  });

  await t.step("Expect: 100-continue gets 100 Continue, then the object is stored", async () => {
    const body = "continued body";
    const headers = await signedHeaders(`${base}/bad-input/continue`, {
      method: "PUT",
      headers: { "content-length": String(body.length), expect: "100-continue" },
    });
    const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`).join("\r\n");
    const response = await rawRequest(base, `PUT /bad-input/continue HTTP/1.1\r\n${lines}`, body, {
      waitForContinue: true,
    });
    assertEquals(response.status, 200, response.head);
    assert(/x-amz-request-id: [0-9A-F]{16}/i.test(response.head), response.head);
  });

  await t.step("after all of it, the bucket holds only the good objects and no orphaned shard", async () => {
    const listing = await s3.send(new ListObjectsV2Command({ Bucket: "bad-input" }));
    const keys = (listing.Contents ?? []).map((object) => object.Key).filter((key) => key !== "long");
    assertEquals(keys, ["continue"]);
    await waitFor(
      async () => (await shardFiles(dirs)).length === 0,
      15_000,
      "shards of refused uploads collected",
    );
  });

  s3.destroy();
});
