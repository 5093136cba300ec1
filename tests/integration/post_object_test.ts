/**
 * Browser form uploads (POST Object) against a real cluster: a policy signed with SigV4 (by this test's own
 * HMAC code), every kind of condition enforced with nothing stored on failure, the three kinds of success
 * answer, anonymous forms on a public-read-write bucket, and large files streamed.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutBucketAclCommand,
} from "@aws-sdk/client-s3";
import { createHash, createHmac } from "node:crypto";
import { TEST_CREDENTIALS, TestCluster } from "../support/cluster.ts";
import { signedFormFields } from "../support/post_form.ts";
import { assert, assertEquals, assertRejectsS3, randomBytes } from "../support/asserts.ts";

const MIB = 1024 * 1024;

/** A form of `fields` then the file, as a browser builds it (the file last). */
function form(
  fields: Record<string, string>,
  file: Uint8Array<ArrayBuffer>,
  filename = "photo.jpg",
  type = "image/jpeg",
): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  data.append("file", new Blob([file], { type }), filename);
  return data;
}

function md5(bytes: Uint8Array): string {
  return createHash("md5").update(bytes).digest("hex");
}

/** `fields` (from `signedFormFields`) with `policy` in place of theirs, signed the same way. */
function withPolicy(fields: Record<string, string>, policy: string): Record<string, string> {
  const [, date, region, service] = fields["x-amz-credential"].split("/");
  let key: Uint8Array = createHmac("sha256", `AWS4${TEST_CREDENTIALS.secretAccessKey}`).update(date).digest();
  for (const part of [region, service, "aws4_request"]) key = createHmac("sha256", key).update(part).digest();
  const signature = createHmac("sha256", key).update(policy).digest("hex");
  return { ...fields, policy, "x-amz-signature": signature };
}

Deno.test("browser form uploads (POST Object) through real processes", async (t) => {
  await using cluster = await TestCluster.start();
  const s3 = cluster.client();
  await s3.send(new CreateBucketCommand({ Bucket: "forms" }));
  const post = async (
    body: FormData | Uint8Array<ArrayBuffer>,
    headers: Record<string, string> = {},
    bucket = "forms",
  ) => {
    const response = await fetch(`${cluster.endpoint}/${bucket}`, {
      method: "POST",
      body,
      headers,
      redirect: "manual",
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };
  const conditions = [
    { bucket: "forms" },
    ["starts-with", "$key", "uploads/"],
    { acl: "public-read" },
    ["starts-with", "$Content-Type", "image/"],
    ["content-length-range", 1, MIB],
    { success_action_status: "201" },
    ["starts-with", "$x-amz-meta-origin", ""],
  ];
  const fieldsOf = (extra: Record<string, string> = {}) => ({
    key: "uploads/${filename}",
    acl: "public-read",
    "Content-Type": "image/jpeg",
    success_action_status: "201",
    "x-amz-meta-origin": "camera",
    ...extra,
  });

  await t.step("a signed form stores the file under the policy, with its fields applied", async () => {
    const photo = randomBytes(200_000);
    const answer = await post(
      form({ ...fieldsOf(), ...signedFormFields(conditions) }, photo, "C:\\pics\\photo.jpg"),
    );
    assertEquals(answer.status, 201, answer.text);
    assert(answer.text.includes("<Key>uploads/photo.jpg</Key>"), answer.text);
    assertEquals(answer.headers.get("etag"), `"${md5(photo)}"`);
    const head = await s3.send(new HeadObjectCommand({ Bucket: "forms", Key: "uploads/photo.jpg" }));
    assertEquals([head.ContentType, head.Metadata?.origin, head.ContentLength], [
      "image/jpeg",
      "camera",
      200_000,
    ]);
    const anonymous = await fetch(`${cluster.endpoint}/forms/uploads/photo.jpg`);
    assertEquals(md5(new Uint8Array(await anonymous.arrayBuffer())), md5(photo), "acl public-read applied");
  });

  await t.step("every condition is enforced, and a refused form stores nothing", async () => {
    const small = randomBytes(1000);
    const refusals: Array<[string, FormData, number, string]> = [
      [
        "key outside the prefix",
        form({ ...fieldsOf({ key: "elsewhere/x" }), ...signedFormFields(conditions) }, small),
        403,
        "AccessDenied",
      ],
      [
        "file over the range",
        form({ ...fieldsOf(), ...signedFormFields(conditions) }, randomBytes(MIB + 1)),
        400,
        "EntityTooLarge",
      ],
      [
        "empty file under the range",
        form({ ...fieldsOf(), ...signedFormFields(conditions) }, new Uint8Array(0)),
        400,
        "EntityTooSmall",
      ],
      [
        "content type not image/",
        form({ ...fieldsOf({ "Content-Type": "text/html" }), ...signedFormFields(conditions) }, small),
        403,
        "AccessDenied",
      ],
      [
        "a field no condition names",
        form({ ...fieldsOf({ "x-amz-meta-extra": "1" }), ...signedFormFields(conditions) }, small),
        403,
        "AccessDenied",
      ],
      [
        "an expired policy",
        form({ ...fieldsOf(), ...signedFormFields(conditions, -1000) }, small),
        403,
        "AccessDenied",
      ],
      [
        "a tampered signature",
        form({ ...fieldsOf(), ...signedFormFields(conditions), "x-amz-signature": "0".repeat(64) }, small),
        403,
        "SignatureDoesNotMatch",
      ],
      [
        "a wrong acl",
        form({ ...fieldsOf({ acl: "public-read-write" }), ...signedFormFields(conditions) }, small),
        403,
        "AccessDenied",
      ],
    ];
    for (const [name, body, status, code] of refusals) {
      const answer = await post(body);
      assertEquals(answer.status, status, `${name}: ${answer.text}`);
      assert(answer.text.includes(`<Code>${code}</Code>`), `${name}: ${answer.text}`);
    }
    await assertRejectsS3(
      () => s3.send(new HeadObjectCommand({ Bucket: "forms", Key: "elsewhere/x" })),
      "NotFound",
      404,
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: "forms", Key: "uploads/photo.jpg" }));
    assertEquals(head.ContentLength, 200_000, "no refused form replaced the stored photo");
  });

  await t.step(
    "success_action_redirect answers 303 with bucket, key and etag; the default is 204",
    async () => {
      const redirectConditions = [{ bucket: "forms" }, ["starts-with", "$key", ""], {
        success_action_redirect: "https://app.example.com/done?x=1",
      }];
      const body = randomBytes(5000);
      const redirected = await post(form({
        key: "r.bin",
        success_action_redirect: "https://app.example.com/done?x=1",
        ...signedFormFields(redirectConditions),
      }, body));
      assertEquals(redirected.status, 303, redirected.text);
      const location = new URL(redirected.headers.get("location")!);
      assertEquals(
        [
          location.origin,
          location.searchParams.get("x"),
          location.searchParams.get("key"),
          location.searchParams.get("etag"),
        ],
        ["https://app.example.com", "1", "r.bin", `"${md5(body)}"`],
      );
      const plain = await post(
        form({ key: "plain.bin", ...signedFormFields([{ bucket: "forms" }, { key: "plain.bin" }]) }, body),
      );
      assertEquals(plain.status, 204, plain.text);
    },
  );

  await t.step("success_action_status 200 answers an empty 200", async () => {
    const body = randomBytes(100);
    const answer = await post(form({
      key: "ok200.bin",
      success_action_status: "200",
      ...signedFormFields([{ bucket: "forms" }, { key: "ok200.bin" }, { success_action_status: "200" }]),
    }, body));
    assertEquals([answer.status, answer.text, answer.headers.get("etag")], [200, "", `"${md5(body)}"`]);
    const head = await s3.send(new HeadObjectCommand({ Bucket: "forms", Key: "ok200.bin" }));
    assertEquals(head.ContentLength, 100);
  });

  await t.step("parts after the file are ignored, as S3 ignores them", async () => {
    // A browser sends a named submit button after the file; none of those fields is applied or checked.
    const body = randomBytes(3000);
    const data = form({
      key: "late/ok.bin",
      ...signedFormFields([{ bucket: "forms" }, { key: "late/ok.bin" }]),
    }, body);
    data.append("key", "late/override.bin");
    data.append("x-amz-meta-late", "1");
    data.append("submit", "Upload to Amazon S3");
    const answer = await post(data);
    assertEquals(answer.status, 204, answer.text);
    const got = await s3.send(new GetObjectCommand({ Bucket: "forms", Key: "late/ok.bin" }));
    assertEquals(got.Metadata, {});
    assertEquals(md5(await got.Body!.transformToByteArray()), md5(body));
    await assertRejectsS3(
      () => s3.send(new HeadObjectCommand({ Bucket: "forms", Key: "late/override.bin" })),
      "NotFound",
      404,
    );
  });

  await t.step("a malformed policy document is InvalidPolicyDocument and stores nothing", async () => {
    const expiration = new Date(Date.now() + 600_000).toISOString();
    const signing = [{ "x-amz-algorithm": "AWS4-HMAC-SHA256" }];
    const policies: Array<[string, string]> = [
      ["not base64", "%%% not base64 %%%"],
      ["base64 of something that is not JSON", btoa("{expiration: tomorrow")],
      ["no expiration", btoa(JSON.stringify({ conditions: signing }))],
      ["a bad expiration", btoa(JSON.stringify({ expiration: "soon", conditions: signing }))],
      ["conditions not a list", btoa(JSON.stringify({ expiration, conditions: { key: "bad.bin" } }))],
      [
        "an unknown operator",
        btoa(JSON.stringify({ expiration, conditions: [["ends-with", "$key", ".bin"]] })),
      ],
      [
        "a reversed length range",
        btoa(JSON.stringify({ expiration, conditions: [["content-length-range", 9, 1]] })),
      ],
      ["an eq without $", btoa(JSON.stringify({ expiration, conditions: [["eq", "key", "bad.bin"]] }))],
    ];
    for (const [name, policy] of policies) {
      const fields = withPolicy(signedFormFields([{ bucket: "forms" }, { key: "bad.bin" }]), policy);
      const answer = await post(form({ key: "bad.bin", ...fields }, randomBytes(10)));
      assertEquals(answer.status, 400, `${name}: ${answer.text}`);
      assert(answer.text.includes("<Code>InvalidPolicyDocument</Code>"), `${name}: ${answer.text}`);
    }
    await assertRejectsS3(
      () => s3.send(new HeadObjectCommand({ Bucket: "forms", Key: "bad.bin" })),
      "NotFound",
      404,
    );
  });

  await t.step("a tagging field becomes the object's tags", async () => {
    const tagging = "<Tagging><TagSet><Tag><Key>kind</Key><Value>upload</Value></Tag></TagSet></Tagging>";
    const answer = await post(form({
      key: "tagged.bin",
      tagging,
      ...signedFormFields([{ bucket: "forms" }, { key: "tagged.bin" }, { tagging }]),
    }, randomBytes(10)));
    assertEquals(answer.status, 204, answer.text);
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: "forms", Key: "tagged.bin" }));
    assertEquals(tags.TagSet, [{ Key: "kind", Value: "upload" }]);
  });

  await t.step("an unsigned form needs a bucket anyone may write", async () => {
    const refused = await post(form({ key: "anon.bin" }, randomBytes(10)));
    assertEquals(refused.status, 403, refused.text);
    await s3.send(new CreateBucketCommand({ Bucket: "dropbox" }));
    await s3.send(new PutBucketAclCommand({ Bucket: "dropbox", ACL: "public-read-write" }));
    const accepted = await post(form({ key: "anon.bin" }, randomBytes(10)), {}, "dropbox");
    assertEquals(accepted.status, 204, accepted.text);
  });

  await t.step("a large file streams through; malformed forms get S3 errors", async () => {
    const big = randomBytes(12 * MIB + 3);
    const boundary = "----objstoreBoundary7MA4YWxkTrZu0gW";
    const head = new TextEncoder().encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="key"\r\n\r\nbig.bin\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n` +
        `Content-Type: application/octet-stream\r\n\r\n`,
    );
    const tail = new TextEncoder().encode(`\r\n--${boundary}--\r\n`);
    const body = new Uint8Array(head.length + big.length + tail.length);
    body.set(head);
    body.set(big, head.length);
    body.set(tail, head.length + big.length);
    const answer = await post(
      body,
      { "content-type": `multipart/form-data; boundary=${boundary}` },
      "dropbox",
    );
    assertEquals(answer.status, 204, answer.text);
    const got = await s3.send(new GetObjectCommand({ Bucket: "dropbox", Key: "big.bin" }));
    assertEquals(md5(await got.Body!.transformToByteArray()), md5(big));
    // A field after a large file cannot be ignored (the file's length is taken from Content-Length, before
    // its last byte arrives): refused, nothing stored.
    const after = new TextEncoder().encode(
      `\r\n--${boundary}\r\nContent-Disposition: form-data; name="x"\r\n\r\ny`,
    );
    const trailing = new Uint8Array(head.length + big.length + after.length + tail.length);
    trailing.set(head);
    trailing.set(big, head.length);
    trailing.set(after, head.length + big.length);
    trailing.set(tail, head.length + big.length + after.length);
    const bad = await post(
      trailing,
      { "content-type": `multipart/form-data; boundary=${boundary}` },
      "dropbox",
    );
    assertEquals(bad.status, 400, bad.text);
    assert(bad.text.includes("MalformedPOSTRequest"), bad.text);
    const stillBig = await s3.send(new HeadObjectCommand({ Bucket: "dropbox", Key: "big.bin" }));
    assertEquals(stillBig.ContentLength, big.length);
    const noKey = await post(form({}, randomBytes(10)), {}, "dropbox");
    assertEquals(noKey.status, 400);
    assert(noKey.text.includes("InvalidArgument"), noKey.text);
    const notForm = await post(new TextEncoder().encode("key=x"), {
      "content-type": "application/x-www-form-urlencoded",
    }, "dropbox");
    assertEquals(notForm.status, 412);
  });
  s3.destroy();
});
