/**
 * Presigned URLs from `@aws-sdk/s3-request-presigner` against a real cluster: GET, PUT, HEAD and DELETE;
 * signed headers enforced; expiry (and S3's 7-day limit) enforced; a tampered URL refused and nothing changed.
 */
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { TestCluster } from "../support/cluster.ts";
import { assert, assertEquals, assertRejectsS3 } from "../support/asserts.ts";

/** The `<Code>` of an S3 error document ("" when there is none). */
function errorCode(xml: string): string {
  return /<Error>[\s\S]*<Code>([^<]*)<\/Code>/.exec(xml)?.[1] ?? "";
}

Deno.test("presigned GET, PUT, HEAD and DELETE through real processes", async (t) => {
  await using cluster = await TestCluster.start();
  const s3 = cluster.client();
  await s3.send(new CreateBucketCommand({ Bucket: "signed" }));
  const send = async (url: string, init: RequestInit = {}) => {
    const response = await fetch(url, init);
    return { status: response.status, headers: response.headers, text: await response.text() };
  };

  await t.step("each method works through its own URL", async () => {
    const put = await getSignedUrl(s3, new PutObjectCommand({ Bucket: "signed", Key: "k" }), {
      expiresIn: 300,
    });
    assertEquals((await send(put, { method: "PUT", body: "presigned body" })).status, 200);
    const get = await getSignedUrl(s3, new GetObjectCommand({ Bucket: "signed", Key: "k" }), {
      expiresIn: 300,
    });
    assertEquals((await send(get)).text, "presigned body");
    const head = await getSignedUrl(s3, new HeadObjectCommand({ Bucket: "signed", Key: "k" }), {
      expiresIn: 300,
    });
    const headed = await send(head, { method: "HEAD" });
    assertEquals([headed.status, headed.headers.get("content-length")], [200, "14"]);
    // A URL signed for GET does not allow a DELETE.
    const wrongMethod = await send(get, { method: "DELETE" });
    assertEquals([wrongMethod.status, errorCode(wrongMethod.text)], [403, "SignatureDoesNotMatch"]);
    const del = await getSignedUrl(s3, new DeleteObjectCommand({ Bucket: "signed", Key: "k" }), {
      expiresIn: 300,
    });
    assertEquals((await send(del, { method: "DELETE" })).status, 204);
    await assertRejectsS3(
      () => s3.send(new HeadObjectCommand({ Bucket: "signed", Key: "k" })),
      "NotFound",
      404,
    );
  });

  await t.step("signed headers are enforced", async () => {
    const url = await getSignedUrl(
      s3,
      new PutObjectCommand({ Bucket: "signed", Key: "typed", ContentType: "image/png" }),
      { expiresIn: 300, signableHeaders: new Set(["content-type"]) },
    );
    assert(new URL(url).searchParams.get("X-Amz-SignedHeaders")?.includes("content-type"), url);
    const wrong = await send(url, { method: "PUT", body: "x", headers: { "content-type": "text/html" } });
    assertEquals([wrong.status, errorCode(wrong.text)], [403, "SignatureDoesNotMatch"], wrong.text);
    const right = await send(url, { method: "PUT", body: "x", headers: { "content-type": "image/png" } });
    assertEquals(right.status, 200, right.text);
  });

  await t.step("expired, over-long and tampered URLs are refused and change nothing", async () => {
    const soon = await getSignedUrl(s3, new PutObjectCommand({ Bucket: "signed", Key: "late" }), {
      expiresIn: 1,
    });
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const late = await send(soon, { method: "PUT", body: "late" });
    assertEquals([late.status, errorCode(late.text)], [403, "AccessDenied"], late.text);
    assert(late.text.includes("<Message>Request has expired</Message>"), late.text);
    const week = await getSignedUrl(s3, new GetObjectCommand({ Bucket: "signed", Key: "typed" }), {
      expiresIn: 604_800,
    });
    assertEquals((await send(week)).status, 200);
    const tooLong = new URL(week);
    tooLong.searchParams.set("X-Amz-Expires", "604801");
    const refused = await send(tooLong.toString());
    assertEquals([refused.status, errorCode(refused.text)], [400, "AuthorizationQueryParametersError"]);
    const put = await getSignedUrl(s3, new PutObjectCommand({ Bucket: "signed", Key: "mine" }), {
      expiresIn: 300,
    });
    const tampered = await send(put.replace("/signed/mine", "/signed/theirs"), { method: "PUT", body: "x" });
    assertEquals([tampered.status, errorCode(tampered.text)], [403, "SignatureDoesNotMatch"], tampered.text);
    const resigned = new URL(put);
    const signature = resigned.searchParams.get("X-Amz-Signature")!;
    resigned.searchParams.set("X-Amz-Signature", `${signature[0] === "0" ? "1" : "0"}${signature.slice(1)}`);
    const forged = await send(resigned.toString(), { method: "PUT", body: "x" });
    assertEquals([forged.status, errorCode(forged.text)], [403, "SignatureDoesNotMatch"], forged.text);
    await assertRejectsS3(
      () => s3.send(new HeadObjectCommand({ Bucket: "signed", Key: "late" })),
      "NotFound",
      404,
    );
    for (const key of ["theirs", "mine"]) {
      await assertRejectsS3(
        () => s3.send(new HeadObjectCommand({ Bucket: "signed", Key: key })),
        "NotFound",
        404,
      );
    }
  });
  s3.destroy();
});
