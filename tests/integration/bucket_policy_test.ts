/**
 * Bucket policies through real processes: Put/Get/DeleteBucketPolicy with the AWS SDK, MalformedPolicy
 * stores nothing, a public-read policy opens every object to anonymous GET and HEAD (and nothing else),
 * a Deny on a prefix binds even the owner, an IpAddress condition tests the connection's address, and
 * DeleteBucket takes the policy with it.
 */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  HeadBucketCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  type S3Client,
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
