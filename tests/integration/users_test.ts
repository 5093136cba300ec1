/**
 * More than one user, through real processes: the root user issues and revokes access keys with the admin
 * command (`main.ts admin`) and the admin endpoint; each user's buckets are theirs alone unless a policy or
 * ACL says otherwise (and an ACL cannot give them away: its Owner must be the bucket owner); a revoked key
 * stops working on the next request.
 */
import {
  CreateBucketCommand,
  GetBucketAclCommand,
  GetObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketAclCommand,
  PutBucketPolicyCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { TestCluster } from "../support/cluster.ts";
import { signedFetch } from "../support/signed_fetch.ts";
import { assert, assertEquals, assertRejectsS3 } from "../support/asserts.ts";

const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";

interface IssuedKey {
  accessKeyId: string;
  secretKey: string;
  userName: string;
  userId: string;
}

function clientFor(endpoint: string, key: IssuedKey): S3Client {
  return new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretKey },
    maxAttempts: 1,
  });
}

Deno.test("users, access keys and bucket isolation through real processes", async (t) => {
  await using cluster = await TestCluster.start();
  const root = cluster.client();
  const created = await cluster.admin("create-key", "--user", "alice");
  assertEquals(created.code, 0, created.stderr);
  const aliceKey = JSON.parse(created.stdout) as IssuedKey;
  const bobKey = JSON.parse(
    (await cluster.admin("create-key", "--user", "bob")).stdout,
  ) as IssuedKey;
  const alice = clientFor(cluster.endpoint, aliceKey);
  const bob = clientFor(cluster.endpoint, bobKey);

  await t.step("the admin command issues keys of 20 and 40 characters, listed without secrets", async () => {
    assertEquals([aliceKey.accessKeyId.length, aliceKey.secretKey.length, aliceKey.userName], [
      20,
      40,
      "alice",
    ]);
    assertEquals(aliceKey.userId.length, 64);
    const listed = await cluster.admin("list-keys");
    assertEquals(listed.code, 0, listed.stderr);
    const keys = (JSON.parse(listed.stdout) as { keys: Array<Record<string, unknown>> }).keys;
    assertEquals(keys.map((key) => key.userName).sort(), ["alice", "bob"]);
    assert(keys.every((key) => !("secretKey" in key)), "no secret in a listing");
    assert(!listed.stdout.includes(aliceKey.secretKey));
  });

  await t.step("each user's buckets are their own", async () => {
    await alice.send(new CreateBucketCommand({ Bucket: "alice-data" }));
    await alice.send(new PutObjectCommand({ Bucket: "alice-data", Key: "diary.txt", Body: "dear diary" }));
    await bob.send(new CreateBucketCommand({ Bucket: "bob-data" }));
    assertEquals((await alice.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name), ["alice-data"]);
    assertEquals((await bob.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name), ["bob-data"]);
    assertEquals((await root.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name) ?? [], []);
    await assertRejectsS3(
      () => bob.send(new ListObjectsV2Command({ Bucket: "alice-data" })),
      "AccessDenied",
      403,
    );
    await assertRejectsS3(
      () => bob.send(new GetObjectCommand({ Bucket: "alice-data", Key: "diary.txt" })),
      "AccessDenied",
      403,
    );
    await assertRejectsS3(
      () => bob.send(new PutObjectCommand({ Bucket: "alice-data", Key: "graffiti", Body: "x" })),
      "AccessDenied",
      403,
    );
    await assertRejectsS3(
      () => root.send(new GetObjectCommand({ Bucket: "alice-data", Key: "diary.txt" })),
      "AccessDenied",
      403,
    );
    await assertRejectsS3(
      () => bob.send(new CreateBucketCommand({ Bucket: "alice-data" })),
      "BucketAlreadyExists",
      409,
    );
  });

  await t.step("an AccessControlPolicy must name the bucket owner as its Owner", async () => {
    const owner = (await alice.send(new GetBucketAclCommand({ Bucket: "alice-data" }))).Owner;
    assertEquals(owner?.ID, aliceKey.userId, "GetBucketAcl shows the owner's canonical id");
    const policyOf = (ownerId: string) => ({
      Owner: { ID: ownerId },
      Grants: [
        { Grantee: { Type: "CanonicalUser" as const, ID: ownerId }, Permission: "FULL_CONTROL" as const },
        { Grantee: { Type: "Group" as const, URI: ALL_USERS }, Permission: "READ" as const },
      ],
    });
    // Giving the bucket or an object away to another user is refused, as AWS refuses it.
    await assertRejectsS3(
      () =>
        alice.send(
          new PutBucketAclCommand({ Bucket: "alice-data", AccessControlPolicy: policyOf(bobKey.userId) }),
        ),
      "AccessDenied",
      403,
    );
    await assertRejectsS3(
      () =>
        alice.send(
          new PutObjectAclCommand({
            Bucket: "alice-data",
            Key: "diary.txt",
            AccessControlPolicy: policyOf(bobKey.userId),
          }),
        ),
      "AccessDenied",
      403,
    );
    // Another user may not set the ACL even when naming the right owner.
    await assertRejectsS3(
      () =>
        bob.send(
          new PutBucketAclCommand({ Bucket: "alice-data", AccessControlPolicy: policyOf(aliceKey.userId) }),
        ),
      "AccessDenied",
      403,
    );
    for (const path of ["/alice-data?list-type=2", "/alice-data/diary.txt"]) {
      const anonymous = await fetch(`${cluster.endpoint}${path}`);
      await anonymous.body?.cancel();
      assertEquals(anonymous.status, 403, `${path} stays private`);
    }
    await alice.send(
      new PutObjectAclCommand({
        Bucket: "alice-data",
        Key: "diary.txt",
        AccessControlPolicy: policyOf(aliceKey.userId),
      }),
    );
    const opened = await fetch(`${cluster.endpoint}/alice-data/diary.txt`);
    assertEquals([opened.status, await opened.text()], [200, "dear diary"]);
    await alice.send(new PutObjectAclCommand({ Bucket: "alice-data", Key: "diary.txt", ACL: "private" }));
  });

  await t.step("a bucket policy naming a user's canonical id grants that user", async () => {
    await alice.send(
      new PutBucketPolicyCommand({
        Bucket: "alice-data",
        Policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{
            Effect: "Allow",
            Principal: { AWS: bobKey.userId },
            Action: "s3:GetObject",
            Resource: "arn:aws:s3:::alice-data/*",
          }],
        }),
      }),
    );
    const got = await bob.send(new GetObjectCommand({ Bucket: "alice-data", Key: "diary.txt" }));
    assertEquals(await got.Body?.transformToString(), "dear diary");
    await assertRejectsS3(
      () => bob.send(new ListObjectsV2Command({ Bucket: "alice-data" })),
      "AccessDenied",
      403,
    );
  });

  await t.step(
    "an authenticated-read object is readable by every signed-in user, not by anonymous",
    async () => {
      await alice.send(
        new PutObjectCommand({
          Bucket: "alice-data",
          Key: "shared.txt",
          Body: "for users",
          ACL: "authenticated-read",
        }),
      );
      const got = await root.send(new GetObjectCommand({ Bucket: "alice-data", Key: "shared.txt" }));
      assertEquals(await got.Body?.transformToString(), "for users");
      const anonymous = await fetch(`${cluster.endpoint}/alice-data/shared.txt`);
      await anonymous.body?.cancel();
      assertEquals(anonymous.status, 403);
    },
  );

  await t.step("only the root user may use the admin endpoint", async () => {
    const asAlice = await signedFetch(`${cluster.endpoint}/_admin/keys`, {
      method: "GET",
      credentials: { accessKeyId: aliceKey.accessKeyId, secretAccessKey: aliceKey.secretKey },
    });
    await asAlice.body?.cancel();
    assertEquals(asAlice.status, 403);
    const anonymous = await fetch(`${cluster.endpoint}/_admin/keys`, { method: "POST" });
    await anonymous.body?.cancel();
    assertEquals(anonymous.status, 403);
    const badName = await cluster.admin("create-key", "--user", "root");
    assertEquals(badName.code, 1);
    assert(badName.stderr.includes("InvalidArgument"), badName.stderr);
    const missing = await cluster.admin("create-key");
    assertEquals(missing.code, 2, missing.stderr);
  });

  await t.step("a revoked key is refused from the next request on; other keys keep working", async () => {
    const revoked = await cluster.admin("revoke-key", "--access-key", aliceKey.accessKeyId);
    assertEquals(revoked.code, 0, revoked.stderr);
    await assertRejectsS3(() => alice.send(new ListBucketsCommand({})), "InvalidAccessKeyId", 403);
    assertEquals((await bob.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name), ["bob-data"]);
    const again = await cluster.admin("revoke-key", "--access-key", aliceKey.accessKeyId);
    assertEquals(again.code, 1);
    assert(again.stderr.includes("NoSuchEntity"), again.stderr);
    // Alice's data stays hers: a new key for her reaches it again.
    const renewed = JSON.parse(
      (await cluster.admin("create-key", "--user", "alice")).stdout,
    ) as IssuedKey;
    assertEquals(renewed.userId, aliceKey.userId);
    const aliceAgain = clientFor(cluster.endpoint, renewed);
    const diary = await aliceAgain.send(new GetObjectCommand({ Bucket: "alice-data", Key: "diary.txt" }));
    assertEquals(await diary.Body?.transformToString(), "dear diary");
    aliceAgain.destroy();
  });

  await t.step("keys survive a gateway restart", async () => {
    await cluster.stopGateway();
    await cluster.startGateway();
    const bobAfter = clientFor(cluster.endpoint, bobKey);
    assertEquals((await bobAfter.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name), ["bob-data"]);
    bobAfter.destroy();
  });
  for (const client of [root, alice, bob]) client.destroy();
});
