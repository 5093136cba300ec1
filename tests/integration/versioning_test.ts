/**
 * Bucket versioning through @aws-sdk/client-s3 against a real cluster: version ids, reads of any version,
 * delete markers, deletes of one version for good, ListObjectVersions with markers, `null` versions (before
 * versioning and while suspended), copies of a version, and old versions' data surviving garbage collection;
 * tags, ACLs and attributes of one named version (delete markers refused with 405); ListObjectVersions with a
 * delimiter, a prefix and markers.
 */
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  DeleteObjectTaggingCommand,
  GetBucketVersioningCommand,
  GetObjectAclCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandInput,
  PutBucketVersioningCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { TestCluster } from "../support/cluster.ts";
import { signedFetch } from "../support/signed_fetch.ts";
import { assert, assertEquals, assertRejectsS3, randomBytes } from "../support/asserts.ts";

const GC_ENV = { OBJSTORE_GC_GRACE_MS: "300", OBJSTORE_GC_INTERVAL_MS: "200" };

async function text(s3: S3Client, key: string, versionId?: string): Promise<string> {
  const got = await s3.send(new GetObjectCommand({ Bucket: "ver", Key: key, VersionId: versionId }));
  return await got.Body!.transformToString();
}

/** Every (key, versionId, isLatest, deleteMarker) of the bucket, walking pages of `pageSize`. */
async function allVersions(
  s3: S3Client,
  pageSize: number,
  extra: Omit<ListObjectVersionsCommandInput, "Bucket"> = {},
): Promise<string[]> {
  const seen: string[] = [];
  let markers: Omit<ListObjectVersionsCommandInput, "Bucket"> = {};
  for (let page = 0; page < 100; page++) {
    const listed = await s3.send(
      new ListObjectVersionsCommand({ Bucket: "ver", MaxKeys: pageSize, ...extra, ...markers }),
    );
    const entries = [
      ...(listed.Versions ?? []).map((v) => ({
        key: v.Key!,
        id: v.VersionId!,
        latest: v.IsLatest,
        marker: false,
        at: v.LastModified!,
      })),
      ...(listed.DeleteMarkers ?? []).map((m) => ({
        key: m.Key!,
        id: m.VersionId!,
        latest: m.IsLatest,
        marker: true,
        at: m.LastModified!,
      })),
    ];
    // The SDK returns versions and markers in two lists: merge them back by key, then newest first.
    entries.sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : b.at.getTime() - a.at.getTime());
    for (const entry of entries) {
      seen.push(`${entry.key}@${entry.id}${entry.latest ? "*" : ""}${entry.marker ? "(marker)" : ""}`);
    }
    for (const prefix of listed.CommonPrefixes ?? []) seen.push(`${prefix.Prefix}/`);
    if (!listed.IsTruncated) break;
    markers = { KeyMarker: listed.NextKeyMarker, VersionIdMarker: listed.NextVersionIdMarker };
  }
  return seen;
}

Deno.test("bucket versioning through real processes", async (t) => {
  await using cluster = await TestCluster.start({ gatewayEnv: GC_ENV });
  const s3 = cluster.client();
  await s3.send(new CreateBucketCommand({ Bucket: "ver" }));
  const big = (fill: number) => randomBytes(200_000).fill(fill, 0, 10);
  const versions: Record<string, string> = {};

  await t.step(
    "an object written before versioning becomes the null version when versioning is enabled",
    async () => {
      assertEquals((await s3.send(new GetBucketVersioningCommand({ Bucket: "ver" }))).Status, undefined);
      await s3.send(new PutObjectCommand({ Bucket: "ver", Key: "pre", Body: "before versioning" }));
      await s3.send(
        new PutBucketVersioningCommand({ Bucket: "ver", VersioningConfiguration: { Status: "Enabled" } }),
      );
      assertEquals((await s3.send(new GetBucketVersioningCommand({ Bucket: "ver" }))).Status, "Enabled");
      const put = await s3.send(
        new PutObjectCommand({ Bucket: "ver", Key: "pre", Body: "after versioning" }),
      );
      assert(
        put.VersionId !== undefined && put.VersionId !== "null",
        `a new version id, got ${put.VersionId}`,
      );
      assertEquals(await text(s3, "pre"), "after versioning");
      assertEquals(await text(s3, "pre", "null"), "before versioning");
    },
  );

  await t.step("each write is a version; any version reads back, the newest by default", async () => {
    for (const [name, body] of [["v1", "first"], ["v2", "second"]]) {
      const put = await s3.send(new PutObjectCommand({ Bucket: "ver", Key: "doc", Body: body }));
      versions[name] = put.VersionId!;
    }
    assert(versions.v1 !== versions.v2);
    assertEquals(await text(s3, "doc"), "second");
    assertEquals(await text(s3, "doc", versions.v1), "first");
    const head = await s3.send(new HeadObjectCommand({ Bucket: "ver", Key: "doc", VersionId: versions.v1 }));
    assertEquals([head.VersionId, head.ContentLength], [versions.v1, 5]);
    await assertRejectsS3(
      () => s3.send(new GetObjectCommand({ Bucket: "ver", Key: "doc", VersionId: "0".repeat(32) })),
      "NoSuchVersion",
      404,
    );
    await assertRejectsS3(
      () => s3.send(new GetObjectCommand({ Bucket: "ver", Key: "doc", VersionId: "not-a-version" })),
      "InvalidArgument",
      400,
    );
  });

  await t.step("a delete leaves a delete marker: the key reads as missing, its versions remain", async () => {
    const deleted = await s3.send(new DeleteObjectCommand({ Bucket: "ver", Key: "doc" }));
    assertEquals(deleted.DeleteMarker, true);
    versions.marker = deleted.VersionId!;
    await assertRejectsS3(
      () => s3.send(new GetObjectCommand({ Bucket: "ver", Key: "doc" })),
      "NoSuchKey",
      404,
    );
    const raw = await signedFetch(`${cluster.endpoint}/ver/doc`, { method: "GET" });
    await raw.body?.cancel();
    assertEquals([raw.status, raw.headers.get("x-amz-delete-marker"), raw.headers.get("x-amz-version-id")], [
      404,
      "true",
      versions.marker,
    ]);
    const marker = await signedFetch(`${cluster.endpoint}/ver/doc?versionId=${versions.marker}`, {
      method: "HEAD",
    });
    assertEquals([marker.status, marker.headers.get("x-amz-delete-marker")], [405, "true"]);
    assertEquals(await text(s3, "doc", versions.v2), "second");
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: "ver" }));
    assertEquals(listed.Contents?.map((c) => c.Key), ["pre"]);
  });

  await t.step(
    "ListObjectVersions lists versions and markers newest first, with markers across pages",
    async () => {
      const expected = [
        `doc@${versions.marker}*(marker)`,
        `doc@${versions.v2}`,
        `doc@${versions.v1}`,
        `pre@${(await s3.send(new HeadObjectCommand({ Bucket: "ver", Key: "pre" }))).VersionId}*`,
        "pre@null",
      ];
      assertEquals(await allVersions(s3, 1000), expected);
      for (const pageSize of [1, 2]) {
        assertEquals(
          await allVersions(s3, pageSize),
          expected,
          `pages of ${pageSize}`,
        );
      }
      assertEquals(await allVersions(s3, 1000, { Prefix: "pr" }), expected.slice(3));
    },
  );

  await t.step("deleting one version is for good; deleting the marker brings the key back", async () => {
    const gone = await s3.send(
      new DeleteObjectCommand({ Bucket: "ver", Key: "doc", VersionId: versions.v2 }),
    );
    assertEquals(gone.VersionId, versions.v2);
    await assertRejectsS3(
      () => s3.send(new GetObjectCommand({ Bucket: "ver", Key: "doc", VersionId: versions.v2 })),
      "NoSuchVersion",
      404,
    );
    const unmarked = await s3.send(
      new DeleteObjectCommand({ Bucket: "ver", Key: "doc", VersionId: versions.marker }),
    );
    assertEquals(unmarked.DeleteMarker, true);
    assertEquals(await text(s3, "doc"), "first");
  });

  await t.step(
    "old versions keep their data through garbage collection; copies can name a version",
    async () => {
      const first = big(1);
      const second = big(2);
      const a = await s3.send(new PutObjectCommand({ Bucket: "ver", Key: "media", Body: first }));
      await s3.send(new PutObjectCommand({ Bucket: "ver", Key: "media", Body: second }));
      await new Promise((resolve) => setTimeout(resolve, 1500)); // several GC rounds past the grace period
      const old = await s3.send(
        new GetObjectCommand({ Bucket: "ver", Key: "media", VersionId: a.VersionId }),
      );
      const bytes = await old.Body!.transformToByteArray();
      assertEquals([bytes.length, bytes[0]], [first.length, 1]);
      const copy = await s3.send(
        new CopyObjectCommand({
          Bucket: "ver",
          Key: "media-copy",
          CopySource: `ver/media?versionId=${a.VersionId}`,
        }),
      );
      assertEquals(copy.CopySourceVersionId, a.VersionId);
      const copied = await s3.send(new GetObjectCommand({ Bucket: "ver", Key: "media-copy" }));
      assertEquals((await copied.Body!.transformToByteArray())[0], 1);
    },
  );

  await t.step(
    "a copy onto itself in a versioned bucket is a new version; the old one keeps its metadata",
    async () => {
      const before = await s3.send(new HeadObjectCommand({ Bucket: "ver", Key: "media" }));
      const copied = await s3.send(
        new CopyObjectCommand({
          Bucket: "ver",
          Key: "media",
          CopySource: "ver/media",
          MetadataDirective: "REPLACE",
          ContentType: "video/mp4",
        }),
      );
      assert(copied.VersionId !== undefined && copied.VersionId !== before.VersionId);
      const now = await s3.send(new HeadObjectCommand({ Bucket: "ver", Key: "media" }));
      const then = await s3.send(
        new HeadObjectCommand({ Bucket: "ver", Key: "media", VersionId: before.VersionId }),
      );
      assertEquals([now.ContentType, then.ContentType, now.ETag], [
        "video/mp4",
        before.ContentType,
        before.ETag,
      ]);
    },
  );

  await t.step(
    "suspended: writes make the null version, replacing the earlier null version only",
    async () => {
      await s3.send(
        new PutBucketVersioningCommand({ Bucket: "ver", VersioningConfiguration: { Status: "Suspended" } }),
      );
      assertEquals((await s3.send(new GetBucketVersioningCommand({ Bucket: "ver" }))).Status, "Suspended");
      for (const body of ["s1", "s2"]) {
        const put = await s3.send(new PutObjectCommand({ Bucket: "ver", Key: "doc", Body: body }));
        assertEquals(put.VersionId, "null");
      }
      assertEquals(await text(s3, "doc"), "s2");
      assertEquals(await allVersions(s3, 1000, { Prefix: "doc" }), ["doc@null*", `doc@${versions.v1}`]);
      const marker = await s3.send(new DeleteObjectCommand({ Bucket: "ver", Key: "doc" }));
      assertEquals([marker.DeleteMarker, marker.VersionId], [true, "null"]);
      assertEquals(await allVersions(s3, 1000, { Prefix: "doc" }), [
        "doc@null*(marker)",
        `doc@${versions.v1}`,
      ]);
    },
  );

  await t.step(
    "DeleteObjects deletes named versions; a bucket with versions is not empty until they go",
    async () => {
      await assertRejectsS3(() => s3.send(new DeleteBucketCommand({ Bucket: "ver" })), "BucketNotEmpty", 409);
      for (let round = 0; round < 5; round++) {
        const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: "ver" }));
        const objects = [...(listed.Versions ?? []), ...(listed.DeleteMarkers ?? [])].map((v) => ({
          Key: v.Key!,
          VersionId: v.VersionId!,
        }));
        if (objects.length === 0) break;
        const result = await s3.send(
          new DeleteObjectsCommand({ Bucket: "ver", Delete: { Objects: objects } }),
        );
        assertEquals(result.Errors ?? [], []);
      }
      assertEquals(await allVersions(s3, 1000), []);
      await s3.send(new DeleteBucketCommand({ Bucket: "ver" }));
    },
  );
  s3.destroy();
});

const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";

Deno.test("tags, ACLs and attributes of one named version through real processes", async (t) => {
  await using cluster = await TestCluster.start();
  const s3 = cluster.client();
  const Bucket = "vsub";
  const Key = "doc";
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: "Enabled" } }));
  const v1 = (await s3.send(new PutObjectCommand({ Bucket, Key, Body: "first", Tagging: "stage=draft" })))
    .VersionId!;
  const v2 = (await s3.send(new PutObjectCommand({ Bucket, Key, Body: "second!", Tagging: "stage=final" })))
    .VersionId!;
  const tagsOf = async (VersionId?: string) =>
    ((await s3.send(new GetObjectTaggingCommand({ Bucket, Key, VersionId }))).TagSet ?? [])
      .map((tag) => `${tag.Key}=${tag.Value}`);
  const publicGrant = async (VersionId?: string) =>
    ((await s3.send(new GetObjectAclCommand({ Bucket, Key, VersionId }))).Grants ?? [])
      .some((grant) => grant.Grantee?.URI === ALL_USERS && grant.Permission === "READ");

  await t.step("Get/Put/DeleteObjectTagging act on the named version only", async () => {
    assertEquals([await tagsOf(v1), await tagsOf(v2), await tagsOf()], [
      ["stage=draft"],
      ["stage=final"],
      ["stage=final"],
    ]);
    const got = await s3.send(new GetObjectTaggingCommand({ Bucket, Key, VersionId: v1 }));
    assertEquals(got.VersionId, v1);
    const put = await s3.send(
      new PutObjectTaggingCommand({
        Bucket,
        Key,
        VersionId: v1,
        Tagging: { TagSet: [{ Key: "stage", Value: "archived" }] },
      }),
    );
    assertEquals(put.VersionId, v1);
    assertEquals([await tagsOf(v1), await tagsOf()], [["stage=archived"], ["stage=final"]]);
    await s3.send(new DeleteObjectTaggingCommand({ Bucket, Key, VersionId: v1 }));
    assertEquals([await tagsOf(v1), await tagsOf()], [[], ["stage=final"]]);
    // Naming the current version changes what a request without a version id sees.
    await s3.send(
      new PutObjectTaggingCommand({
        Bucket,
        Key,
        VersionId: v2,
        Tagging: { TagSet: [{ Key: "a", Value: "b" }] },
      }),
    );
    assertEquals([await tagsOf(), await tagsOf(v1)], [["a=b"], []]);
  });

  await t.step(
    "Get/PutObjectAcl act on the named version only, and the version's ACL decides reads",
    async () => {
      await s3.send(new PutObjectAclCommand({ Bucket, Key, VersionId: v1, ACL: "public-read" }));
      assertEquals([await publicGrant(v1), await publicGrant(v2), await publicGrant()], [true, false, false]);
      const old = await fetch(`${cluster.endpoint}/${Bucket}/${Key}?versionId=${v1}`);
      assertEquals([old.status, await old.text()], [200, "first"]);
      const current = await fetch(`${cluster.endpoint}/${Bucket}/${Key}`);
      await current.body?.cancel();
      assertEquals(current.status, 403);
      await s3.send(new PutObjectAclCommand({ Bucket, Key, VersionId: v1, ACL: "private" }));
      const closed = await fetch(`${cluster.endpoint}/${Bucket}/${Key}?versionId=${v1}`);
      await closed.body?.cancel();
      assertEquals(closed.status, 403);
    },
  );

  await t.step("GetObjectAttributes describes the named version", async () => {
    const attributes = (VersionId?: string) =>
      s3.send(
        new GetObjectAttributesCommand({ Bucket, Key, VersionId, ObjectAttributes: ["ObjectSize", "ETag"] }),
      );
    const old = await attributes(v1);
    const now = await attributes();
    assertEquals([old.ObjectSize, old.VersionId, now.ObjectSize, now.VersionId], [5, v1, 7, v2]);
    assert(old.ETag !== now.ETag, "each version has its own ETag");
  });

  await t.step("an unknown version id is NoSuchVersion and a malformed one InvalidArgument", async () => {
    const unknown = "0".repeat(32);
    const calls = (VersionId: string) => [
      () => s3.send(new GetObjectTaggingCommand({ Bucket, Key, VersionId })),
      () => s3.send(new PutObjectTaggingCommand({ Bucket, Key, VersionId, Tagging: { TagSet: [] } })),
      () => s3.send(new DeleteObjectTaggingCommand({ Bucket, Key, VersionId })),
      () => s3.send(new GetObjectAclCommand({ Bucket, Key, VersionId })),
      () => s3.send(new PutObjectAclCommand({ Bucket, Key, VersionId, ACL: "private" })),
      () => s3.send(new GetObjectAttributesCommand({ Bucket, Key, VersionId, ObjectAttributes: ["ETag"] })),
    ];
    for (const call of calls(unknown)) await assertRejectsS3(call, "NoSuchVersion", 404);
    for (const call of calls("not-a-version")) await assertRejectsS3(call, "InvalidArgument", 400);
  });

  await t.step("a delete marker has no tags, ACL or attributes: 405 MethodNotAllowed", async () => {
    const marker = (await s3.send(new DeleteObjectCommand({ Bucket, Key }))).VersionId!;
    const VersionId = marker;
    const calls = [
      () => s3.send(new GetObjectTaggingCommand({ Bucket, Key, VersionId })),
      () => s3.send(new PutObjectTaggingCommand({ Bucket, Key, VersionId, Tagging: { TagSet: [] } })),
      () => s3.send(new DeleteObjectTaggingCommand({ Bucket, Key, VersionId })),
      () => s3.send(new GetObjectAclCommand({ Bucket, Key, VersionId })),
      () => s3.send(new PutObjectAclCommand({ Bucket, Key, VersionId, ACL: "public-read" })),
      () => s3.send(new GetObjectAttributesCommand({ Bucket, Key, VersionId, ObjectAttributes: ["ETag"] })),
    ];
    for (const call of calls) await assertRejectsS3(call, "MethodNotAllowed", 405);
    const raw = await signedFetch(`${cluster.endpoint}/${Bucket}/${Key}?tagging&versionId=${marker}`, {
      method: "GET",
    });
    await raw.body?.cancel();
    assertEquals([raw.status, raw.headers.get("x-amz-delete-marker")], [405, "true"]);
    // Without a version id the key is gone; its older versions keep their tags.
    await assertRejectsS3(
      () => s3.send(new GetObjectAttributesCommand({ Bucket, Key, ObjectAttributes: ["ETag"] })),
      "NoSuchKey",
      404,
    );
    assertEquals(await tagsOf(v2), ["a=b"]);
  });
  s3.destroy();
});

Deno.test("ListObjectVersions groups keys by a delimiter, with a prefix and across pages", async () => {
  await using cluster = await TestCluster.start();
  const s3 = cluster.client();
  const Bucket = "tree";
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: "Enabled" } }));
  const ids: Record<string, string[]> = {};
  const keys = ["a.txt", "a.txt", "photos/2024/x.jpg", "photos/2024/x.jpg", "photos/2024/y.jpg"];
  for (const key of [...keys, "photos/2025/z.jpg", "photos/cover.jpg", "videos/v.mp4"]) {
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: key, Body: key }));
    (ids[key] ??= []).unshift(put.VersionId!);
  }
  // A prefix whose only key's newest version is a delete marker is still a common prefix.
  await s3.send(new DeleteObjectCommand({ Bucket, Key: "photos/2025/z.jpg" }));

  /** Every version (key@id) and common prefix (ending in the delimiter), in order, over pages of `maxKeys`. */
  const walk = async (maxKeys: number, input: Omit<ListObjectVersionsCommandInput, "Bucket">) => {
    const seen: string[] = [];
    let markers: Omit<ListObjectVersionsCommandInput, "Bucket"> = {};
    for (let page = 0; page < 50; page++) {
      const listed = await s3.send(
        new ListObjectVersionsCommand({ Bucket, MaxKeys: maxKeys, ...input, ...markers }),
      );
      const count = (listed.Versions ?? []).length + (listed.DeleteMarkers ?? []).length +
        (listed.CommonPrefixes ?? []).length;
      assert(count <= maxKeys, `page ${page} holds ${count} entries, more than ${maxKeys}`);
      for (const version of listed.Versions ?? []) seen.push(`${version.Key}@${version.VersionId}`);
      for (const prefix of listed.CommonPrefixes ?? []) seen.push(prefix.Prefix!);
      if (!listed.IsTruncated) return seen;
      markers = { KeyMarker: listed.NextKeyMarker, VersionIdMarker: listed.NextVersionIdMarker };
    }
    throw new Error("more than 50 pages");
  };

  const top = await s3.send(new ListObjectVersionsCommand({ Bucket, Delimiter: "/" }));
  assertEquals(top.Versions?.map((v) => `${v.Key}@${v.VersionId}`), ids["a.txt"].map((id) => `a.txt@${id}`));
  assertEquals(top.CommonPrefixes?.map((p) => p.Prefix), ["photos/", "videos/"]);
  assertEquals([top.Delimiter, top.IsTruncated], ["/", false]);
  for (const pageSize of [1, 2, 3]) {
    assertEquals(await walk(pageSize, { Delimiter: "/" }), [
      ...ids["a.txt"].map((id) => `a.txt@${id}`),
      "photos/",
      "videos/",
    ], `pages of ${pageSize}`);
  }

  const photos = await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: "photos/", Delimiter: "/" }));
  assertEquals(photos.CommonPrefixes?.map((p) => p.Prefix), ["photos/2024/", "photos/2025/"]);
  assertEquals(photos.Versions?.map((v) => v.Key), ["photos/cover.jpg"]);
  assertEquals([photos.Prefix, photos.DeleteMarkers ?? []], ["photos/", []]);
  for (const pageSize of [1, 2]) {
    assertEquals(await walk(pageSize, { Prefix: "photos/", Delimiter: "/" }), [
      "photos/2024/",
      "photos/2025/",
      `photos/cover.jpg@${ids["photos/cover.jpg"][0]}`,
    ], `photos/ in pages of ${pageSize}`);
  }

  // A key-marker inside a common prefix skips the whole prefix, as S3 does.
  const afterX = await s3.send(
    new ListObjectVersionsCommand({
      Bucket,
      Prefix: "photos/",
      Delimiter: "/",
      KeyMarker: "photos/2024/x.jpg",
    }),
  );
  assertEquals(afterX.CommonPrefixes?.map((p) => p.Prefix), ["photos/2025/"]);
  // Under a prefix where no key holds the delimiter again, pages of one resume mid-key (version-id-marker).
  const deeper = await walk(1, { Prefix: "photos/2024/", Delimiter: "/" });
  assertEquals(deeper, [
    ...ids["photos/2024/x.jpg"].map((id) => `photos/2024/x.jpg@${id}`),
    `photos/2024/y.jpg@${ids["photos/2024/y.jpg"][0]}`,
  ]);
  s3.destroy();
});
