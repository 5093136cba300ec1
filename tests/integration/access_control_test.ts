/**
 * Canned ACLs and anonymous access through real processes: private by default, public-read objects
 * readable by anyone (the CDN-origin case), public-read buckets listable by anyone, writes only where
 * public-read-write allows them, an authenticated-read bucket listable by another signed-in user but not by
 * anonymous requests, and Get/Put Bucket and Object ACL through the AWS SDK (canned ACLs as `x-amz-acl`, as
 * an equivalent AccessControlPolicy body and as equivalent `x-amz-grant-*` headers); GetObjectAttributes
 * under a bucket policy needing both of AWS's actions.
 */
import {
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  GetBucketAclCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketAclCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { TestCluster } from "../support/cluster.ts";
import { assertEquals, assertRejectsS3 } from "../support/asserts.ts";

const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
const AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

Deno.test("canned ACLs decide what anonymous and other signed-in requests may do", async (t) => {
  await using cluster = await TestCluster.start();
  const s3 = cluster.client();
  const anonymous = (path: string, init: RequestInit = {}) => fetch(`${cluster.endpoint}${path}`, init);
  await s3.send(new CreateBucketCommand({ Bucket: "media" }));
  await s3.send(new PutObjectCommand({ Bucket: "media", Key: "private.txt", Body: "secret" }));
  await s3.send(
    new PutObjectCommand({ Bucket: "media", Key: "public.txt", Body: "hello", ACL: "public-read" }),
  );

  await t.step("anonymous GET reads a public-read object and is denied a private one", async () => {
    const open = await anonymous("/media/public.txt");
    assertEquals([open.status, await open.text()], [200, "hello"]);
    const closed = await anonymous("/media/private.txt");
    assertEquals(closed.status, 403);
    assertEquals((await closed.text()).includes("<Code>AccessDenied</Code>"), true);
    const head = await anonymous("/media/public.txt", { method: "HEAD" });
    assertEquals([head.status, head.headers.get("content-length")], [200, "5"]);
  });

  await t.step("anonymous listing and writes are denied on a private bucket", async () => {
    const list = await anonymous("/media?list-type=2");
    assertEquals(list.status, 403);
    await list.body?.cancel();
    const put = await anonymous("/media/evil.txt", { method: "PUT", body: "x" });
    assertEquals(put.status, 403);
    await put.body?.cancel();
    const del = await anonymous("/media/public.txt", { method: "DELETE" });
    assertEquals(del.status, 403);
    await del.body?.cancel();
    const buckets = await anonymous("/");
    assertEquals(buckets.status, 403);
    await buckets.body?.cancel();
  });

  await t.step("PutBucketAcl public-read lets anyone list; GetBucketAcl reports the grant", async () => {
    await s3.send(new PutBucketAclCommand({ Bucket: "media", ACL: "public-read" }));
    const acl = await s3.send(new GetBucketAclCommand({ Bucket: "media" }));
    const grants = (acl.Grants ?? []).map((
      grant,
    ) => [grant.Grantee?.URI ?? grant.Grantee?.ID, grant.Permission]);
    assertEquals(grants.some(([who, permission]) => who === ALL_USERS && permission === "READ"), true);
    const list = await anonymous("/media?list-type=2");
    assertEquals(list.status, 200);
    const xml = await list.text();
    assertEquals(xml.includes("<Key>private.txt</Key>") && xml.includes("<Key>public.txt</Key>"), true);
    const stillPrivate = await anonymous("/media/private.txt");
    assertEquals(stillPrivate.status, 403);
    await stillPrivate.body?.cancel();
  });

  await t.step("PutObjectAcl makes a private object public, and back", async () => {
    await s3.send(new PutObjectAclCommand({ Bucket: "media", Key: "private.txt", ACL: "public-read" }));
    const opened = await anonymous("/media/private.txt");
    assertEquals([opened.status, await opened.text()], [200, "secret"]);
    const acl = await s3.send(new GetObjectAclCommand({ Bucket: "media", Key: "private.txt" }));
    assertEquals((acl.Grants ?? []).length, 2);
    await s3.send(new PutObjectAclCommand({ Bucket: "media", Key: "private.txt", ACL: "private" }));
    const closed = await anonymous("/media/private.txt");
    assertEquals(closed.status, 403);
    await closed.body?.cancel();
  });

  await t.step(
    "PutObjectAcl with an AccessControlPolicy equal to public-read opens the object; the owner alone closes it",
    async () => {
      const current = await s3.send(new GetObjectAclCommand({ Bucket: "media", Key: "private.txt" }));
      const owner = current.Owner!;
      const ownerGrant = {
        Grantee: { Type: "CanonicalUser" as const, ID: owner.ID },
        Permission: "FULL_CONTROL" as const,
      };
      const allUsersRead = {
        Grantee: { Type: "Group" as const, URI: ALL_USERS },
        Permission: "READ" as const,
      };
      await s3.send(
        new PutObjectAclCommand({
          Bucket: "media",
          Key: "private.txt",
          AccessControlPolicy: { Owner: owner, Grants: [ownerGrant, allUsersRead] },
        }),
      );
      const opened = await anonymous("/media/private.txt");
      assertEquals([opened.status, await opened.text()], [200, "secret"]);
      const acl = await s3.send(new GetObjectAclCommand({ Bucket: "media", Key: "private.txt" }));
      assertEquals(acl.Grants?.map((grant) => grant.Grantee?.URI ?? grant.Grantee?.ID), [
        owner.ID,
        ALL_USERS,
      ]);
      await s3.send(
        new PutObjectAclCommand({
          Bucket: "media",
          Key: "private.txt",
          AccessControlPolicy: { Owner: owner, Grants: [ownerGrant] },
        }),
      );
      const closed = await anonymous("/media/private.txt");
      assertEquals(closed.status, 403);
      await closed.body?.cancel();
      // x-amz-grant-* headers naming the same grants do the same.
      await s3.send(
        new PutObjectAclCommand({
          Bucket: "media",
          Key: "private.txt",
          GrantFullControl: `id="${owner.ID}"`,
          GrantRead: `uri="${ALL_USERS}"`,
        }),
      );
      const reopened = await anonymous("/media/private.txt");
      assertEquals([reopened.status, await reopened.text()], [200, "secret"]);
      await s3.send(
        new PutObjectAclCommand({
          Bucket: "media",
          Key: "private.txt",
          GrantFullControl: `id="${owner.ID}"`,
        }),
      );
      const reclosed = await anonymous("/media/private.txt");
      assertEquals(reclosed.status, 403);
      await reclosed.body?.cancel();
    },
  );

  await t.step("grants that equal no canned ACL are NotImplemented and change nothing", async () => {
    const owner = (await s3.send(new GetBucketAclCommand({ Bucket: "media" }))).Owner!;
    const ownerGrant = {
      Grantee: { Type: "CanonicalUser" as const, ID: owner.ID },
      Permission: "FULL_CONTROL" as const,
    };
    const uncanned = [
      [ownerGrant, { Grantee: { Type: "Group" as const, URI: ALL_USERS }, Permission: "READ_ACP" as const }],
      [{ Grantee: { Type: "Group" as const, URI: ALL_USERS }, Permission: "READ" as const }],
    ];
    for (const Grants of uncanned) {
      await assertRejectsS3(
        () =>
          s3.send(
            new PutBucketAclCommand({ Bucket: "media", AccessControlPolicy: { Owner: owner, Grants } }),
          ),
        "NotImplemented",
        501,
      );
    }
    await assertRejectsS3(
      () =>
        s3.send(
          new PutObjectAclCommand({
            Bucket: "media",
            Key: "public.txt",
            GrantRead: "emailAddress=x@example.com",
          }),
        ),
      "NotImplemented",
      501,
    );
    const list = await anonymous("/media?list-type=2");
    assertEquals(list.status, 200, "the bucket stays public-read");
    await list.body?.cancel();
    const object = await anonymous("/media/public.txt");
    assertEquals([object.status, await object.text()], [200, "hello"]);
  });

  await t.step("PutBucketAcl with an AccessControlPolicy sets the bucket's canned ACL", async () => {
    const owner = (await s3.send(new GetBucketAclCommand({ Bucket: "media" }))).Owner!;
    const ownerGrant = {
      Grantee: { Type: "CanonicalUser" as const, ID: owner.ID },
      Permission: "FULL_CONTROL" as const,
    };
    await s3.send(
      new PutBucketAclCommand({
        Bucket: "media",
        AccessControlPolicy: { Owner: owner, Grants: [ownerGrant] },
      }),
    );
    const closed = await anonymous("/media?list-type=2");
    assertEquals(closed.status, 403);
    await closed.body?.cancel();
    await s3.send(
      new PutBucketAclCommand({
        Bucket: "media",
        AccessControlPolicy: {
          Owner: owner,
          Grants: [ownerGrant, { Grantee: { Type: "Group", URI: ALL_USERS }, Permission: "READ" }],
        },
      }),
    );
    const open = await anonymous("/media?list-type=2");
    assertEquals(open.status, 200);
    await open.body?.cancel();
  });

  await t.step("public-read-write lets anonymous requests write and delete objects", async () => {
    await s3.send(new PutBucketAclCommand({ Bucket: "media", ACL: "public-read-write" }));
    const put = await anonymous("/media/dropbox.txt", { method: "PUT", body: "dropped" });
    assertEquals(put.status, 200);
    await put.body?.cancel();
    const del = await anonymous("/media/dropbox.txt", { method: "DELETE" });
    assertEquals(del.status, 204);
  });

  await t.step(
    "an authenticated-read bucket lets another signed-in user list it, not anonymous",
    async () => {
      const created = await cluster.admin("create-key", "--user", "dave");
      assertEquals(created.code, 0, created.stderr);
      const key = JSON.parse(created.stdout) as { accessKeyId: string; secretKey: string };
      const dave = new S3Client({
        endpoint: cluster.endpoint,
        region: "us-east-1",
        forcePathStyle: true,
        credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretKey },
        maxAttempts: 1,
      });
      await s3.send(new CreateBucketCommand({ Bucket: "members", ACL: "authenticated-read" }));
      await s3.send(new PutObjectCommand({ Bucket: "members", Key: "minutes.txt", Body: "minutes" }));
      const acl = await s3.send(new GetBucketAclCommand({ Bucket: "members" }));
      const grants = (acl.Grants ?? []).map((
        grant,
      ) => [grant.Grantee?.URI ?? grant.Grantee?.ID, grant.Permission]);
      assertEquals(
        grants.some(([who, permission]) => who === AUTHENTICATED_USERS && permission === "READ"),
        true,
      );
      const listed = await dave.send(new ListObjectsV2Command({ Bucket: "members" }));
      assertEquals(listed.Contents?.map((object) => object.Key), ["minutes.txt"]);
      const anonymousList = await anonymous("/members?list-type=2");
      await anonymousList.body?.cancel();
      assertEquals(anonymousList.status, 403);
      // The bucket ACL grants listing only: objects keep their own (private) ACL, and writes stay the owner's.
      await assertRejectsS3(
        () => dave.send(new GetObjectCommand({ Bucket: "members", Key: "minutes.txt" })),
        "AccessDenied",
        403,
      );
      await assertRejectsS3(
        () => dave.send(new PutObjectCommand({ Bucket: "members", Key: "graffiti", Body: "x" })),
        "AccessDenied",
        403,
      );
      await s3.send(new PutBucketAclCommand({ Bucket: "members", ACL: "private" }));
      await assertRejectsS3(
        () => dave.send(new ListObjectsV2Command({ Bucket: "members" })),
        "AccessDenied",
        403,
      );
      dave.destroy();
    },
  );

  await t.step("an unknown canned ACL is InvalidArgument and changes nothing", async () => {
    const response = await s3.send(
      new PutObjectCommand({ Bucket: "media", Key: "x", Body: "x", ACL: "bucket-owner-read" }),
    )
      .then(() => 200, (error) => error.$metadata.httpStatusCode);
    assertEquals(response, 400);
  });

  s3.destroy();
});

Deno.test("GetObjectAttributes needs both its read action and its attributes action", async (t) => {
  await using cluster = await TestCluster.start();
  const s3 = cluster.client();
  const attributes = async (path: string) => {
    const response = await fetch(`${cluster.endpoint}${path}`, {
      headers: { "x-amz-object-attributes": "ObjectSize" },
    });
    return { status: response.status, body: await response.text() };
  };
  /** Replaces the bucket policy with one statement of `effect` on `actions` for everyone. */
  const grant = (actions: string[], effect = "Allow") =>
    s3.send(
      new PutBucketPolicyCommand({
        Bucket: "attrs",
        Policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: effect, Principal: "*", Action: actions, Resource: "arn:aws:s3:::attrs/*" }],
        }),
      }),
    );
  await s3.send(new CreateBucketCommand({ Bucket: "attrs" }));
  await s3.send(
    new PutBucketVersioningCommand({ Bucket: "attrs", VersioningConfiguration: { Status: "Enabled" } }),
  );
  const old = (await s3.send(new PutObjectCommand({ Bucket: "attrs", Key: "doc", Body: "old" }))).VersionId!;
  await s3.send(new PutObjectCommand({ Bucket: "attrs", Key: "doc", Body: "newer" }));

  await t.step("without versionId: s3:GetObject and s3:GetObjectAttributes", async () => {
    await grant(["s3:GetObject"]);
    assertEquals(await fetch(`${cluster.endpoint}/attrs/doc`).then((r) => r.text()), "newer");
    assertEquals((await attributes("/attrs/doc?attributes")).status, 403, "s3:GetObject alone");
    await grant(["s3:GetObjectAttributes"]);
    assertEquals((await attributes("/attrs/doc?attributes")).status, 403, "s3:GetObjectAttributes alone");
    await grant(["s3:GetObject", "s3:GetObjectAttributes"]);
    const both = await attributes("/attrs/doc?attributes");
    assertEquals(both.status, 200);
    assertEquals(both.body.includes("<ObjectSize>5</ObjectSize>"), true, both.body);
  });

  await t.step("with versionId: s3:GetObjectVersion and s3:GetObjectVersionAttributes", async () => {
    const path = `/attrs/doc?attributes&versionId=${old}`;
    assertEquals((await attributes(path)).status, 403, "the unversioned actions do not reach a version");
    await grant(["s3:GetObjectVersionAttributes"]);
    assertEquals((await attributes(path)).status, 403, "s3:GetObjectVersionAttributes alone");
    await grant(["s3:GetObjectVersion"]);
    assertEquals((await attributes(path)).status, 403, "s3:GetObjectVersion alone");
    await grant(["s3:GetObjectVersion", "s3:GetObjectVersionAttributes"]);
    const both = await attributes(path);
    assertEquals(both.status, 200);
    assertEquals(both.body.includes("<ObjectSize>3</ObjectSize>"), true, both.body);
  });

  await t.step("a public-read object's ACL grants both; a Deny of the attributes action wins", async () => {
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: "attrs" }));
    await s3.send(new PutObjectAclCommand({ Bucket: "attrs", Key: "doc", ACL: "public-read" }));
    assertEquals((await attributes("/attrs/doc?attributes")).status, 200);
    await grant(["s3:GetObjectAttributes"], "Deny");
    assertEquals((await attributes("/attrs/doc?attributes")).status, 403);
    const plain = await fetch(`${cluster.endpoint}/attrs/doc`);
    assertEquals([plain.status, await plain.text()], [200, "newer"], "GetObject is still allowed");
  });
  s3.destroy();
});
