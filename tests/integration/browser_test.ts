/**
 * Uploads from a real browser: Debian's Chromium (headless, driven by puppeteer-core) on a page served from
 * another origin than the gateway PUTs a file to a presigned URL (CORS preflight, exposed ETag) and submits a
 * real `<form>` with a signed POST policy and a chosen file (redirected back to the page). The cluster is
 * real; the page server and the browser run on 127.0.0.1 only.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutBucketCorsCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import puppeteer from "puppeteer-core";
import { createHash } from "node:crypto";
import { TestCluster } from "../support/cluster.ts";
import { signedFormFields } from "../support/post_form.ts";
import { assert, assertEquals } from "../support/asserts.ts";

const CHROMIUM = "/usr/bin/chromium";

function md5(text: string): string {
  return createHash("md5").update(text).digest("hex");
}

Deno.test("a browser uploads through a presigned URL and through a POST form", async (t) => {
  await using cluster = await TestCluster.start();
  const s3 = cluster.client();
  const pages = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const path = new URL(request.url).pathname;
    const html = path === "/done"
      ? "<title>done</title><p>uploaded</p>"
      : "<title>app</title><p>app page</p>";
    return new Response(`<!doctype html><html><body>${html}</body></html>`, {
      headers: { "content-type": "text/html; charset=utf-8" },
    });
  });
  const origin = `http://127.0.0.1:${pages.addr.port}`;
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  const dir = await Deno.makeTempDir({ prefix: "objstore-browser-" });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: "browser" }));
    await s3.send(
      new PutBucketCorsCommand({
        Bucket: "browser",
        CORSConfiguration: {
          CORSRules: [{
            AllowedOrigins: [origin],
            AllowedMethods: ["PUT", "GET"],
            AllowedHeaders: ["*"],
            ExposeHeaders: ["ETag"],
          }],
        },
      }),
    );
    const page = await browser.newPage();
    await page.goto(`${origin}/`);

    await t.step("fetch PUTs a file to a presigned URL from another origin and reads its ETag", async () => {
      const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: "browser", Key: "presigned.txt" }), {
        expiresIn: 300,
      });
      const result = await page.evaluate(async (target: string) => {
        const response = await fetch(target, { method: "PUT", body: new Blob(["hello from chromium"]) });
        return { status: response.status, etag: response.headers.get("etag") };
      }, url);
      assertEquals(result, { status: 200, etag: `"${md5("hello from chromium")}"` });
      const stored = await s3.send(new GetObjectCommand({ Bucket: "browser", Key: "presigned.txt" }));
      assertEquals(await stored.Body?.transformToString(), "hello from chromium");
    });

    await t.step("a page without a CORS rule cannot read the answer", async () => {
      const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: "browser", Key: "blocked.txt" }), {
        expiresIn: 300,
      });
      const other = await browser.newPage();
      await other.goto(`http://localhost:${pages.addr.port}/`); // another origin: not in the rule
      const outcome = await other.evaluate(async (target: string) => {
        try {
          await fetch(target, { method: "PUT", body: new Blob(["x"]) });
          return "readable";
        } catch {
          return "blocked";
        }
      }, url);
      assertEquals(outcome, "blocked");
      await other.close();
    });

    await t.step(
      "a real <form> with a signed policy uploads the chosen file and redirects back",
      async () => {
        const content = "a file picked in the browser\n";
        const filePath = `${dir}/picked.txt`;
        await Deno.writeTextFile(filePath, content);
        const redirect = `${origin}/done`;
        const fields = {
          key: "forms/${filename}",
          "Content-Type": "text/plain",
          success_action_redirect: redirect,
          ...signedFormFields([
            { bucket: "browser" },
            ["starts-with", "$key", "forms/"],
            ["starts-with", "$Content-Type", "text/"],
            { success_action_redirect: redirect },
            ["content-length-range", 1, 1024],
          ]),
        };
        // Page scripts are source text: they run in the browser, whose DOM this Deno file has no types for.
        await page.evaluate(`(() => {
        const form = document.createElement("form");
        form.id = "upload";
        form.method = "post";
        form.enctype = "multipart/form-data";
        form.action = ${JSON.stringify(`${cluster.endpoint}/browser`)};
        for (const [name, value] of Object.entries(${JSON.stringify(fields)})) {
          const input = document.createElement("input");
          input.type = "hidden";
          input.name = name;
          input.value = value;
          form.appendChild(input);
        }
        const file = document.createElement("input");
        file.type = "file";
        file.name = "file";
        form.appendChild(file);
        document.body.appendChild(form);
      })()`);
        const input = await page.$("#upload input[type=file]");
        assert(input !== null, "the file input exists");
        await input.uploadFile(filePath);
        await Promise.all([
          page.waitForNavigation(),
          page.evaluate(`document.getElementById("upload").submit()`),
        ]);
        const landed = new URL(page.url());
        assertEquals(
          [landed.origin + landed.pathname, landed.searchParams.get("key"), landed.searchParams.get("etag")],
          [redirect, "forms/picked.txt", `"${md5(content)}"`],
        );
        const stored = await s3.send(new GetObjectCommand({ Bucket: "browser", Key: "forms/picked.txt" }));
        assertEquals([stored.ContentType, await stored.Body?.transformToString()], ["text/plain", content]);
      },
    );
  } finally {
    await browser.close();
    await pages.shutdown();
    await Deno.remove(dir, { recursive: true });
    s3.destroy();
  }
});
