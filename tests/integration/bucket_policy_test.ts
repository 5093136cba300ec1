/**
 * Bucket policies through real processes: Put/Get/DeleteBucketPolicy with the AWS SDK, MalformedPolicy
 * stores nothing, a public-read policy opens every object to anonymous GET and HEAD (and nothing else),
 * a Deny on a prefix binds even the owner, an IpAddress condition tests the connection's address, NotAction,
 * NotResource and StringLike conditions, DeleteBucket takes the policy with it, and a request naming a version
 * is checked as AWS's version action (`s3:GetObjectVersion`, on a copy source too).
 */
import {
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  HeadBucketCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import { TestCluster } from "../support/cluster.ts";
import { assert, assertEquals, assertRejectsS3 } from "../support/asserts.ts";

function policyOf(...statements: Record<string, unknown>[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

function publicRead(bucket: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Effect: "Allow",
    Principal: "*",
    Action: "s3:GetObject",
    Resource: `arn:aws:s3:::${bucket}/*`,
    ...extra,
  };
}

async function putPolicy(s3: S3Client, bucket: string, policy: string): Promise<void> {
  await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy }));
}

Deno.test("bucket policies govern access through real processes", async (t) => {
  await using cluster = await TestCluster.start();
  const s3 = cluster.client();
  const anonymous = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${cluster.endpoint}${path}`, init);
    return { status: response.status, body: await response.text() };
  };
  await s3.send(new CreateBucketCommand({ Bucket: "site" }));
  for (const key of ["index.html", "img/logo.png", "private/report.txt"]) {
    await s3.send(new PutObjectCommand({ Bucket: "site", Key: key, Body: `body of ${key}` }));
  }

  await t.step("Put/Get/DeleteBucketPolicy round trip with the AWS SDK", async () => {
    await assertRejectsS3(
      () => s3.send(new GetBucketPolicyCommand({ Bucket: "site" })),
      "NoSuchBucketPolicy",
      404,
    );
    const policy = policyOf(publicRead("site", { Sid: "PublicRead" }));
    await putPolicy(s3, "site", policy);
    assertEquals((await s3.send(new GetBucketPolicyCommand({ Bucket: "site" }))).Policy, policy);
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: "site" }));
    await assertRejectsS3(
      () => s3.send(new GetBucketPolicyCommand({ Bucket: "site" })),
      "NoSuchBucketPolicy",
      404,
    );
    // DELETE ?policy removed the policy, never the bucket; a second delete is still 204.
    await s3.send(new HeadBucketCommand({ Bucket: "site" }));
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: "site" }));
  });

  await t.step("malformed policies are MalformedPolicy and store nothing", async () => {
    const malformed = [
      "{not json",
      policyOf(publicRead("other-bucket")),
      policyOf(publicRead("site", { Effect: "Perhaps" })),
      policyOf(publicRead("site", { Condition: { NumericLessThan: { "s3:max-keys": "10" } } })),
      policyOf(publicRead("site", { Sid: "x".repeat(21 * 1024) })),
    ];
    for (const policy of malformed) {
      await assertRejectsS3(() => putPolicy(s3, "site", policy), "MalformedPolicy", 400);
    }
    await assertRejectsS3(
      () => s3.send(new GetBucketPolicyCommand({ Bucket: "site" })),
      "NoSuchBucketPolicy",
      404,
    );
  });

  await t.step("only the owner manages the policy", async () => {
    const put = await anonymous("/site?policy", { method: "PUT", body: policyOf(publicRead("site")) });
    assertEquals(put.status, 403);
    assertEquals((await anonymous("/site?policy")).status, 403);
    assertEquals((await anonymous("/site?policy", { method: "DELETE" })).status, 403);
  });

  await t.step(
    "a public-read policy lets anonymous GET and HEAD read private objects, nothing more",
    async () => {
      assertEquals((await anonymous("/site/index.html")).status, 403);
      await putPolicy(s3, "site", policyOf(publicRead("site")));
      assertEquals(await anonymous("/site/index.html"), { status: 200, body: "body of index.html" });
      assertEquals(await anonymous("/site/img/logo.png"), { status: 200, body: "body of img/logo.png" });
      assertEquals((await anonymous("/site/img/logo.png", { method: "HEAD" })).status, 200);
      const missing = await anonymous("/site/missing.html");
      assertEquals(missing.status, 403, "a missing key must not be revealed without s3:ListBucket");
      assertEquals((await anonymous("/site?list-type=2")).status, 403);
      assertEquals((await anonymous("/site/new.txt", { method: "PUT", body: "x" })).status, 403);
      assertEquals((await anonymous("/site/index.html", { method: "DELETE" })).status, 403);
      assertEquals((await anonymous("/site?acl")).status, 403);
    },
  );

  await t.step("a Deny on a prefix blocks even the owner's GET there", async () => {
    const deny = {
      Effect: "Deny",
      Principal: "*",
      Action: "s3:GetObject",
      Resource: "arn:aws:s3:::site/private/*",
    };
    await putPolicy(s3, "site", policyOf(publicRead("site"), deny));
    await assertRejectsS3(
      () => s3.send(new GetObjectCommand({ Bucket: "site", Key: "private/report.txt" })),
      "AccessDenied",
      403,
    );
    assertEquals((await anonymous("/site/private/report.txt")).status, 403);
    const open = await s3.send(new GetObjectCommand({ Bucket: "site", Key: "index.html" }));
    assertEquals(await open.Body?.transformToString(), "body of index.html");
    // The owner can always read and remove the policy that locks them out.
    assert((await s3.send(new GetBucketPolicyCommand({ Bucket: "site" }))).Policy?.includes("Deny"));
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: "site" }));
    const report = await s3.send(new GetObjectCommand({ Bucket: "site", Key: "private/report.txt" }));
    assertEquals(await report.Body?.transformToString(), "body of private/report.txt");
  });

  await t.step("an IpAddress condition tests the connection's address", async () => {
    const loopback = { IpAddress: { "aws:SourceIp": "127.0.0.0/8" } };
    await putPolicy(s3, "site", policyOf(publicRead("site", { Condition: loopback })));
    assertEquals((await anonymous("/site/index.html")).status, 200);
    const privateNet = { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } };
    await putPolicy(s3, "site", policyOf(publicRead("site", { Condition: privateNet })));
    assertEquals((await anonymous("/site/index.html")).status, 403);
  });

  await t.step("NotAction: an Allow of everything but writes, a Deny of everything but reads", async () => {
    const allBut = {
      Effect: "Allow",
      Principal: "*",
      NotAction: ["s3:PutObject", "s3:DeleteObject"],
      Resource: "arn:aws:s3:::site/*",
    };
    await putPolicy(s3, "site", policyOf(allBut));
    assertEquals(await anonymous("/site/index.html"), { status: 200, body: "body of index.html" });
    assertEquals((await anonymous("/site/new.txt", { method: "PUT", body: "x" })).status, 403);
    assertEquals((await anonymous("/site/index.html", { method: "DELETE" })).status, 403);
    const readOnly = {
      Effect: "Deny",
      Principal: "*",
      NotAction: "s3:GetObject",
      Resource: "arn:aws:s3:::site/*",
    };
    await putPolicy(s3, "site", policyOf(readOnly));
    await assertRejectsS3(
      () => s3.send(new PutObjectCommand({ Bucket: "site", Key: "index.html", Body: "defaced" })),
      "AccessDenied",
      403,
    );
    const read = await s3.send(new GetObjectCommand({ Bucket: "site", Key: "index.html" }));
    assertEquals(await read.Body?.transformToString(), "body of index.html");
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: "site" }));
  });

  await t.step("NotResource: an Allow of every object but a prefix", async () => {
    const { Resource: _all, ...statement } = publicRead("site");
    await putPolicy(s3, "site", policyOf({ ...statement, NotResource: "arn:aws:s3:::site/private/*" }));
    assertEquals(await anonymous("/site/img/logo.png"), { status: 200, body: "body of img/logo.png" });
    assertEquals((await anonymous("/site/private/report.txt")).status, 403);
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: "site" }));
  });

  await t.step("StringLike conditions test the Referer and the listing's s3:prefix", async () => {
    const hotlink = { StringLike: { "aws:Referer": ["https://example.com/*", "https://*.example.com/*"] } };
    await putPolicy(s3, "site", policyOf(publicRead("site", { Condition: hotlink })));
    const from = (referer: string) => anonymous("/site/index.html", { headers: { referer } });
    assertEquals((await from("https://example.com/page")).status, 200);
    assertEquals((await from("https://www.example.com/a/b")).status, 200);
    assertEquals((await from("https://evil.test/?https://example.com/")).status, 403);
    assertEquals((await anonymous("/site/index.html")).status, 403, "no Referer: the condition is false");
    const listImages = {
      Effect: "Allow",
      Principal: "*",
      Action: "s3:ListBucket",
      Resource: "arn:aws:s3:::site",
      Condition: { StringLike: { "s3:prefix": "img/*" } },
    };
    await putPolicy(s3, "site", policyOf(listImages));
    const images = await anonymous("/site?list-type=2&prefix=img/");
    assertEquals(images.status, 200);
    assert(images.body.includes("<Key>img/logo.png</Key>"), images.body);
    assertEquals((await anonymous("/site?list-type=2&prefix=private/")).status, 403);
    assertEquals((await anonymous("/site?list-type=2")).status, 403);
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: "site" }));
  });

  await t.step("DeleteBucket deletes the policy with the bucket", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "short-lived" }));
    await putPolicy(s3, "short-lived", policyOf(publicRead("short-lived")));
    await s3.send(new DeleteBucketCommand({ Bucket: "short-lived" }));
    await s3.send(new CreateBucketCommand({ Bucket: "short-lived" }));
    await assertRejectsS3(
      () => s3.send(new GetBucketPolicyCommand({ Bucket: "short-lived" })),
      "NoSuchBucketPolicy",
      404,
    );
  });
  s3.destroy();
});

Deno.test("a request naming a version is checked as the version action", async (t) => {
  await using cluster = await TestCluster.start();
  const s3 = cluster.client();
  const anonymous = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${cluster.endpoint}${path}`, init);
    return { status: response.status, body: await response.text() };
  };
  await s3.send(new CreateBucketCommand({ Bucket: "history" }));
  await s3.send(
    new PutBucketVersioningCommand({ Bucket: "history", VersioningConfiguration: { Status: "Enabled" } }),
  );
  const old = (await s3.send(new PutObjectCommand({ Bucket: "history", Key: "doc", Body: "old" })))
    .VersionId!;
  const now = (await s3.send(new PutObjectCommand({ Bucket: "history", Key: "doc", Body: "now" })))
    .VersionId!;
  const allow = (actions: string[], principal: unknown = "*") =>
    putPolicy(
      s3,
      "history",
      policyOf({
        Effect: "Allow",
        Principal: principal,
        Action: actions,
        Resource: "arn:aws:s3:::history/*",
      }),
    );

  await t.step(
    "s3:GetObject reads the current version; a named version needs s3:GetObjectVersion",
    async () => {
      await allow(["s3:GetObject"]);
      assertEquals(await anonymous("/history/doc"), { status: 200, body: "now" });
      assertEquals((await anonymous(`/history/doc?versionId=${old}`)).status, 403);
      assertEquals((await anonymous(`/history/doc?versionId=${now}`)).status, 403, "even the current one");
      assertEquals((await anonymous(`/history/doc?versionId=${old}`, { method: "HEAD" })).status, 403);
      // The bucket owner keeps full access whatever the policy grants others.
      const owner = await s3.send(new GetObjectCommand({ Bucket: "history", Key: "doc", VersionId: old }));
      assertEquals(await owner.Body?.transformToString(), "old");
      await allow(["s3:GetObject", "s3:GetObjectVersion"]);
      assertEquals(await anonymous(`/history/doc?versionId=${old}`), { status: 200, body: "old" });
      assertEquals((await anonymous(`/history/doc?versionId=${old}`, { method: "HEAD" })).status, 200);
      await allow(["s3:GetObjectVersion"]);
      assertEquals(
        (await anonymous("/history/doc")).status,
        403,
        "s3:GetObjectVersion alone is no plain GET",
      );
    },
  );

  await t.step("tagging and attributes of a named version need their version actions", async () => {
    await allow(["s3:GetObjectTagging", "s3:GetObjectAttributes", "s3:GetObject"]);
    const attributes = { headers: { "x-amz-object-attributes": "ObjectSize" } };
    assertEquals((await anonymous("/history/doc?tagging")).status, 200);
    assertEquals((await anonymous(`/history/doc?tagging&versionId=${old}`)).status, 403);
    assertEquals((await anonymous("/history/doc?attributes", attributes)).status, 200);
    assertEquals((await anonymous(`/history/doc?attributes&versionId=${old}`, attributes)).status, 403);
    // As AWS documents: the attributes of a version need s3:GetObjectVersion too.
    await allow(["s3:GetObjectVersionAttributes"]);
    assertEquals((await anonymous(`/history/doc?attributes&versionId=${old}`, attributes)).status, 403);
    await allow(["s3:GetObjectVersionTagging", "s3:GetObjectVersion", "s3:GetObjectVersionAttributes"]);
    assertEquals((await anonymous(`/history/doc?tagging&versionId=${old}`)).status, 200);
    const described = await anonymous(`/history/doc?attributes&versionId=${old}`, attributes);
    assertEquals(described.status, 200);
    assert(described.body.includes("<ObjectSize>3</ObjectSize>"), described.body);
    assertEquals((await anonymous(`/history/doc?acl&versionId=${old}`)).status, 403);
    await allow(["s3:GetObjectVersionAcl"]);
    assertEquals((await anonymous(`/history/doc?acl&versionId=${old}`)).status, 200);
    assertEquals((await anonymous("/history/doc?acl")).status, 403);
  });

  await t.step("a copy source naming a version needs s3:GetObjectVersion on it", async () => {
    const created = await cluster.admin("create-key", "--user", "carol");
    assertEquals(created.code, 0, created.stderr);
    const key = JSON.parse(created.stdout) as { accessKeyId: string; secretKey: string; userId: string };
    const carol = new S3Client({
      endpoint: cluster.endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretKey },
      maxAttempts: 1,
    });
    await carol.send(new CreateBucketCommand({ Bucket: "carol-bin" }));
    await allow(["s3:GetObject"], { AWS: key.userId });
    await carol.send(
      new CopyObjectCommand({ Bucket: "carol-bin", Key: "latest", CopySource: "history/doc" }),
    );
    const versioned = `history/doc?versionId=${old}`;
    await assertRejectsS3(
      () => carol.send(new CopyObjectCommand({ Bucket: "carol-bin", Key: "old", CopySource: versioned })),
      "AccessDenied",
      403,
    );
    const upload = await carol.send(new CreateMultipartUploadCommand({ Bucket: "carol-bin", Key: "parts" }));
    const partCopy = () =>
      carol.send(
        new UploadPartCopyCommand({
          Bucket: "carol-bin",
          Key: "parts",
          UploadId: upload.UploadId,
          PartNumber: 1,
          CopySource: versioned,
        }),
      );
    await assertRejectsS3(partCopy, "AccessDenied", 403);
    await allow(["s3:GetObject", "s3:GetObjectVersion"], { AWS: key.userId });
    await carol.send(new CopyObjectCommand({ Bucket: "carol-bin", Key: "old", CopySource: versioned }));
    const copied = await carol.send(new GetObjectCommand({ Bucket: "carol-bin", Key: "old" }));
    assertEquals(await copied.Body?.transformToString(), "old");
    await partCopy();
    carol.destroy();
  });

  await t.step("DeleteObject naming a version needs s3:DeleteObjectVersion", async () => {
    await putPolicy(
      s3,
      "history",
      policyOf({
        Effect: "Allow",
        Principal: "*",
        Action: "s3:DeleteObject",
        Resource: "arn:aws:s3:::history/*",
      }),
    );
    assertEquals((await anonymous(`/history/doc?versionId=${old}`, { method: "DELETE" })).status, 403);
    await allow(["s3:DeleteObjectVersion"]);
    assertEquals((await anonymous(`/history/doc?versionId=${old}`, { method: "DELETE" })).status, 204);
    await assertRejectsS3(
      () => s3.send(new GetObjectCommand({ Bucket: "history", Key: "doc", VersionId: old })),
      "NoSuchVersion",
      404,
    );
  });
  s3.destroy();
});
