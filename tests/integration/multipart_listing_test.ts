/**
 * ListMultipartUploads through @aws-sdk/client-s3 against a real cluster: order (by key, then by start),
 * prefix, delimiter, key and upload-id markers across pages, encoding-type=url, and uploads leaving the
 * listing when they complete or are aborted.
 */
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  type ListMultipartUploadsCommandInput,
  type S3Client,
} from "@aws-sdk/client-s3";
import { TestCluster } from "../support/cluster.ts";
import { signedFetch } from "../support/signed_fetch.ts";
import { assertEquals, assertRejectsS3 } from "../support/asserts.ts";

async function list(s3: S3Client, input: Omit<ListMultipartUploadsCommandInput, "Bucket"> = {}) {
  return await s3.send(new ListMultipartUploadsCommand({ Bucket: "uploads", ...input }));
}

Deno.test("ListMultipartUploads through real processes", async (t) => {
  await using cluster = await TestCluster.start();
  const s3 = cluster.client();
  await s3.send(new CreateBucketCommand({ Bucket: "uploads" }));
  const started: Array<[string, string]> = [];
  for (const key of ["c/d/e", "a/1", "b", "a/2", "a/1", "with space"]) {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: "uploads", Key: key }));
    started.push([key, UploadId!]);
    await new Promise((resolve) => setTimeout(resolve, 3)); // distinct start times
  }
  const idsOf = (key: string) => started.filter(([k]) => k === key).map(([, id]) => id);
  const [a1First, a1Second] = idsOf("a/1");

  await t.step("every upload, by key and then in the order they were started", async () => {
    const all = await list(s3);
    assertEquals(all.Uploads?.map((u) => [u.Key, u.UploadId]), [
      ["a/1", a1First],
      ["a/1", a1Second],
      ["a/2", idsOf("a/2")[0]],
      ["b", idsOf("b")[0]],
      ["c/d/e", idsOf("c/d/e")[0]],
      ["with space", idsOf("with space")[0]],
    ]);
    assertEquals(all.IsTruncated, false);
    assertEquals(all.Uploads?.[0].StorageClass, "STANDARD");
    assertEquals(all.Uploads?.[0].Owner?.ID?.length, 64);
  });

  await t.step("prefix and delimiter roll keys up into common prefixes", async () => {
    assertEquals((await list(s3, { Prefix: "a/" })).Uploads?.map((u) => u.Key), ["a/1", "a/1", "a/2"]);
    const rolled = await list(s3, { Delimiter: "/" });
    assertEquals(rolled.Uploads?.map((u) => u.Key), ["b", "with space"]);
    assertEquals(rolled.CommonPrefixes?.map((p) => p.Prefix), ["a/", "c/"]);
  });

  await t.step("pages follow NextKeyMarker and NextUploadIdMarker, even inside one key", async () => {
    const first = await list(s3, { MaxUploads: 1 });
    assertEquals(first.Uploads?.map((u) => u.UploadId), [a1First]);
    assertEquals([first.IsTruncated, first.NextKeyMarker, first.NextUploadIdMarker], [true, "a/1", a1First]);
    const seen: string[] = [];
    let markers: Omit<ListMultipartUploadsCommandInput, "Bucket"> = {};
    for (let page = 0; page < 10; page++) {
      const result = await list(s3, { MaxUploads: 2, ...markers });
      for (const upload of result.Uploads ?? []) seen.push(`${upload.Key}#${upload.UploadId}`);
      if (!result.IsTruncated) break;
      markers = { KeyMarker: result.NextKeyMarker, UploadIdMarker: result.NextUploadIdMarker };
    }
    assertEquals(seen, started.map(([key, id]) => `${key}#${id}`).sort());
    // A key marker alone skips every upload of that key.
    assertEquals((await list(s3, { KeyMarker: "a/1" })).Uploads?.[0].Key, "a/2");
  });

  await t.step("common prefixes page too, each returned once", async () => {
    const entries: string[] = [];
    let markers: Omit<ListMultipartUploadsCommandInput, "Bucket"> = {};
    for (let page = 0; page < 10; page++) {
      const result = await list(s3, { MaxUploads: 1, Delimiter: "/", ...markers });
      for (const prefix of result.CommonPrefixes ?? []) entries.push(prefix.Prefix!);
      for (const upload of result.Uploads ?? []) entries.push(upload.Key!);
      if (!result.IsTruncated) break;
      markers = { KeyMarker: result.NextKeyMarker, UploadIdMarker: result.NextUploadIdMarker };
    }
    assertEquals(entries, ["a/", "b", "c/", "with space"]);
  });

  await t.step("encoding-type=url encodes keys (space as +, as S3 does)", async () => {
    const encoded = await list(s3, { Prefix: "with", EncodingType: "url" });
    assertEquals(encoded.EncodingType, "url");
    assertEquals(encoded.Uploads?.map((u) => u.Key), ["with+space"]);
    const raw = await signedFetch(`${cluster.endpoint}/uploads?uploads&encoding-type=url`, { method: "GET" });
    const body = await raw.text();
    assertEquals(body.includes("<Key>with+space</Key>"), true, body);
  });

  await t.step("aborted uploads leave the listing; bad input gets S3 errors", async () => {
    await s3.send(new AbortMultipartUploadCommand({ Bucket: "uploads", Key: "a/1", UploadId: a1First }));
    assertEquals((await list(s3, { Prefix: "a/1" })).Uploads?.map((u) => u.UploadId), [a1Second]);
    await assertRejectsS3(
      () => s3.send(new ListMultipartUploadsCommand({ Bucket: "nosuchbucket" })),
      "NoSuchBucket",
      404,
    );
    await assertRejectsS3(() => list(s3, { EncodingType: "base64" as "url" }), "InvalidArgument", 400);
    const anonymous = await fetch(`${cluster.endpoint}/uploads?uploads`);
    assertEquals(anonymous.status, 403);
    await anonymous.body?.cancel();
  });
  s3.destroy();
});
