/**
 * Bucket lifecycle configurations through real processes: Put/Get/DeleteBucketLifecycle(Configuration) with
 * @aws-sdk/client-s3, refused configurations leaving the stored one in place, 1000 rules, our
 * `NotAccessedTransition` extension sent as raw signed XML, the policy actions that govern them, and the
 * AWS CLI's JSON form when `aws` is installed.
 */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketLifecycleCommand,
  GetBucketLifecycleConfigurationCommand,
  type LifecycleRule,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { TEST_CREDENTIALS, TestCluster } from "../support/cluster.ts";
import { assert, assertEquals, assertRejectsS3 } from "../support/asserts.ts";
import { signedFetch } from "../support/signed_fetch.ts";

const BUCKET = "lifecycle";

const RULES: LifecycleRule[] = [
  {
    ID: "logs",
    Filter: { Prefix: "logs/" },
    Status: "Enabled",
    Transitions: [{ Days: 90, StorageClass: "GLACIER" }, { Days: 30, StorageClass: "STANDARD_IA" }],
    Expiration: { Days: 365 },
  },
  {
    ID: "tagged-large",
    Filter: {
      And: {
        Prefix: "media/",
        Tags: [{ Key: "tier", Value: "cold" }],
        ObjectSizeGreaterThan: 1024,
        ObjectSizeLessThan: 1024 ** 3,
      },
    },
    Status: "Disabled",
    Transitions: [{ Date: new Date("2030-01-01T00:00:00Z"), StorageClass: "DEEP_ARCHIVE" }],
  },
  {
    ID: "versions",
    Filter: {},
    Status: "Enabled",
    NoncurrentVersionTransitions: [{
      NoncurrentDays: 30,
      StorageClass: "GLACIER_IR",
      NewerNoncurrentVersions: 2,
    }],
    NoncurrentVersionExpiration: { NoncurrentDays: 60 },
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
    Expiration: { ExpiredObjectDeleteMarker: true },
  },
  { Filter: { Prefix: "tmp/" }, Status: "Enabled", Expiration: { Days: 1 } },
];

async function ruleIds(s3: S3Client): Promise<(string | undefined)[]> {
  const stored = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: BUCKET }));
  return (stored.Rules ?? []).map((rule) => rule.ID);
}

function put(s3: S3Client, rules: LifecycleRule[]) {
  return s3.send(
    new PutBucketLifecycleConfigurationCommand({ Bucket: BUCKET, LifecycleConfiguration: { Rules: rules } }),
  );
}

Deno.test("bucket lifecycle configuration through real processes", async (t) => {
  await using cluster = await TestCluster.start();
  const s3 = cluster.client();
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const lifecycleUrl = `${cluster.endpoint}/${BUCKET}?lifecycle`;

  await t.step("without a configuration: NoSuchLifecycleConfiguration", async () => {
    await assertRejectsS3(
      () => s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: BUCKET })),
      "NoSuchLifecycleConfiguration",
      404,
    );
  });

  await t.step("the SDK's PutBucketLifecycleConfiguration is stored and read back", async () => {
    await put(s3, RULES);
    const stored = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: BUCKET }));
    const rules = stored.Rules ?? [];
    assertEquals(rules.length, 4);
    assertEquals(rules.slice(0, 3).map((rule) => rule.ID), ["logs", "tagged-large", "versions"]);
    assertEquals(rules[3].ID?.length, 48, "S3 generates an ID for a rule sent without one");
    assertEquals(rules[0].Filter, { Prefix: "logs/" });
    assertEquals(rules[0].Transitions, [
      { Days: 30, StorageClass: "STANDARD_IA" },
      { Days: 90, StorageClass: "GLACIER" },
    ]);
    assertEquals(rules[0].Expiration, { Days: 365 });
    assertEquals(rules[1].Status, "Disabled");
    assertEquals(rules[1].Filter?.And?.Tags, [{ Key: "tier", Value: "cold" }]);
    assertEquals(rules[1].Filter?.And?.ObjectSizeLessThan, 1024 ** 3);
    assertEquals(rules[1].Transitions?.[0].Date?.toISOString(), "2030-01-01T00:00:00.000Z");
    assertEquals(rules[2].NoncurrentVersionTransitions, [
      { NoncurrentDays: 30, StorageClass: "GLACIER_IR", NewerNoncurrentVersions: 2 },
    ]);
    assertEquals(rules[2].NoncurrentVersionExpiration, { NoncurrentDays: 60 });
    assertEquals(rules[2].AbortIncompleteMultipartUpload, { DaysAfterInitiation: 7 });
    assertEquals(rules[2].Expiration, { ExpiredObjectDeleteMarker: true });
  });

  await t.step("refused configurations leave the stored one in place", async () => {
    const before = await ruleIds(s3);
    const refusals: [LifecycleRule[], string][] = [
      [[RULES[0], { ...RULES[0] }], "InvalidArgument"],
      [[{
        ID: "ia",
        Filter: {},
        Status: "Enabled",
        Transitions: [{ Days: 10, StorageClass: "STANDARD_IA" }],
      }], "InvalidArgument"],
      [[{ ID: "idle", Filter: { Prefix: "a/" }, Status: "Enabled" }], "InvalidRequest"],
      [[{ ID: "x".repeat(256), Filter: {}, Status: "Enabled", Expiration: { Days: 1 } }], "InvalidArgument"],
      [[{
        ID: "both",
        Filter: {},
        Status: "Enabled",
        Expiration: { Days: 1, ExpiredObjectDeleteMarker: true },
      }], "MalformedXML"],
      [
        Array.from(
          { length: 1001 },
          (_, i) => ({ ID: `r${i}`, Filter: {}, Status: "Enabled", Expiration: { Days: 1 } }),
        ),
        "InvalidRequest",
      ],
    ];
    for (const [rules, code] of refusals) {
      await assertRejectsS3(() => put(s3, rules), code, 400);
      assertEquals(await ruleIds(s3), before);
    }
  });

  await t.step("1000 rules round-trip in order", async () => {
    const rules: LifecycleRule[] = Array.from({ length: 1000 }, (_, i) => ({
      ID: `rule-${String(i).padStart(4, "0")}`,
      Filter: { Prefix: `tenant-${i}/` },
      Status: "Enabled",
      Transitions: [{ Days: 30, StorageClass: "STANDARD_IA" }],
      Expiration: { Days: 400 + i },
    }));
    await put(s3, rules);
    const stored = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: BUCKET }));
    assertEquals(stored.Rules?.length, 1000);
    assertEquals(stored.Rules?.map((rule) => rule.ID), rules.map((rule) => rule.ID));
    assertEquals(stored.Rules?.[999].Expiration, { Days: 1399 });
  });

  await t.step(
    "our NotAccessedTransition, sent as signed XML with Content-MD5, is rendered back",
    async () => {
      const xml = `<LifecycleConfiguration><Rule><ID>cold</ID><Filter><Prefix>media/</Prefix></Filter>` +
        `<Status>Enabled</Status><NotAccessedTransition><Days>30</Days><StorageClass>GLACIER_IR</StorageClass>` +
        `</NotAccessedTransition></Rule></LifecycleConfiguration>`;
      const md5 = md5Base64(xml);
      const badDigest = await signedFetch(lifecycleUrl, {
        method: "PUT",
        body: xml,
        headers: { "content-md5": md5Base64(xml + " ") },
      });
      assertEquals(badDigest.status, 400);
      assert((await badDigest.text()).includes("<Code>BadDigest</Code>"));
      const accepted = await signedFetch(lifecycleUrl, {
        method: "PUT",
        body: xml,
        headers: { "content-md5": md5 },
      });
      assertEquals(accepted.status, 200, await accepted.text());
      const raw = await signedFetch(lifecycleUrl, { method: "GET" });
      const body = await raw.text();
      assert(
        body.includes(
          "<NotAccessedTransition><Days>30</Days><StorageClass>GLACIER_IR</StorageClass></NotAccessedTransition>",
        ),
        body,
      );
      // The SDK ignores the element it does not know and reads the rest.
      assertEquals(await ruleIds(s3), ["cold"]);
    },
  );

  await t.step("anonymous callers are refused unless the policy grants the lifecycle actions", async () => {
    const anonymous = await fetch(lifecycleUrl);
    await anonymous.body?.cancel();
    assertEquals(anonymous.status, 403);
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: BUCKET,
        Policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{
            Effect: "Allow",
            Principal: "*",
            Action: "s3:GetLifecycleConfiguration",
            Resource: `arn:aws:s3:::${BUCKET}`,
          }],
        }),
      }),
    );
    const granted = await fetch(lifecycleUrl);
    assertEquals(granted.status, 200);
    assert((await granted.text()).includes("<ID>cold</ID>"));
    const write = await fetch(lifecycleUrl, { method: "DELETE" });
    await write.body?.cancel();
    assertEquals(write.status, 403);
  });

  await t.step("DeleteBucketLifecycle answers 204, even twice", async () => {
    await s3.send(new DeleteBucketLifecycleCommand({ Bucket: BUCKET }));
    await s3.send(new DeleteBucketLifecycleCommand({ Bucket: BUCKET }));
    await assertRejectsS3(
      () => s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: BUCKET })),
      "NoSuchLifecycleConfiguration",
      404,
    );
  });

  await t.step("DeleteBucket deletes the configuration with the bucket", async () => {
    await put(s3, RULES);
    await s3.send(new DeleteBucketCommand({ Bucket: BUCKET }));
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await assertRejectsS3(
      () => s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: BUCKET })),
      "NoSuchLifecycleConfiguration",
      404,
    );
  });

  await t.step("aws s3api put- and get-bucket-lifecycle-configuration", async () => {
    const aws = "/usr/bin/aws";
    if (!(await Deno.stat(aws).then(() => true, () => false))) {
      console.log(`skipped: ${aws} is not installed`);
      return;
    }
    const dir = await Deno.makeTempDir({ prefix: "objstore-awscli-" });
    try {
      const policyFile = `${dir}/policy.json`;
      await Deno.writeTextFile(
        policyFile,
        JSON.stringify({
          Rules: [
            {
              ID: "cli",
              Filter: { And: { Prefix: "cli/", Tags: [{ Key: "k", Value: "v" }] } },
              Status: "Enabled",
              Transitions: [{ Days: 30, StorageClass: "ONEZONE_IA" }],
              NoncurrentVersionExpiration: { NoncurrentDays: 10, NewerNoncurrentVersions: 3 },
            },
            { ID: "legacy", Prefix: "old/", Status: "Enabled", Expiration: { Date: "2031-06-01T00:00:00Z" } },
          ],
        }),
      );
      const run = async (...args: string[]) => {
        const output = await new Deno.Command(aws, {
          args: [
            "s3api",
            ...args,
            "--bucket",
            BUCKET,
            "--endpoint-url",
            cluster.endpoint,
            "--output",
            "json",
          ],
          clearEnv: true,
          env: {
            PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
            HOME: dir,
            AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
            AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
            AWS_DEFAULT_REGION: "us-east-1",
            AWS_EC2_METADATA_DISABLED: "true",
            AWS_PAGER: "",
          },
          stdout: "piped",
          stderr: "piped",
        }).output();
        const text = new TextDecoder().decode(output.stdout);
        assertEquals(output.code, 0, new TextDecoder().decode(output.stderr));
        return text;
      };
      await run("put-bucket-lifecycle-configuration", "--lifecycle-configuration", `file://${policyFile}`);
      const stored = JSON.parse(await run("get-bucket-lifecycle-configuration"));
      assertEquals(stored.Rules.map((rule: { ID: string }) => rule.ID), ["cli", "legacy"]);
      assertEquals(stored.Rules[0].Filter, { And: { Prefix: "cli/", Tags: [{ Key: "k", Value: "v" }] } });
      assertEquals(stored.Rules[0].Transitions, [{ Days: 30, StorageClass: "ONEZONE_IA" }]);
      assertEquals(stored.Rules[0].NoncurrentVersionExpiration, {
        NoncurrentDays: 10,
        NewerNoncurrentVersions: 3,
      });
      assertEquals(stored.Rules[1].Prefix, "old/");
      assert(
        String(stored.Rules[1].Expiration.Date).startsWith("2031-06-01T00:00:00"),
        stored.Rules[1].Expiration.Date,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

function md5Base64(text: string): string {
  return createHash("md5").update(text).digest("base64");
}
