import { assert, assertEquals } from "../tests/support/asserts.ts";
import { formBoundary, readFormUpload, SMALL_FILE_BYTES } from "./form_upload.ts";
import { S3Error } from "./s3_errors.ts";

const encoder = new TextEncoder();

/** `bytes` as a stream of chunks of `chunkSize`, to cross every boundary inside the parser. */
function streamOf(bytes: Uint8Array, chunkSize: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunkSize));
      offset += chunkSize;
    },
  });
}

function body(boundary: string, file: Uint8Array, closing: string, extra = ""): Uint8Array {
  const head = encoder.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="Key"\r\n\r\nk/\${filename}\r\n` +
      `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="a b.txt"\r\n` +
      `Content-Type: text/plain\r\n\r\n`,
  );
  const tail = encoder.encode(`${extra}\r\n--${boundary}--${closing}`);
  const out = new Uint8Array(head.length + file.length + tail.length);
  out.set(head);
  out.set(file, head.length);
  out.set(tail, head.length + file.length);
  return out;
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

Deno.test("formBoundary: multipart/form-data only", () => {
  assertEquals(formBoundary("multipart/form-data; boundary=abc"), "abc");
  assertEquals(formBoundary('Multipart/Form-Data; charset=utf-8; boundary="a b"'), "a b");
  for (const bad of [null, "text/plain", "multipart/mixed; boundary=x", "multipart/form-data"]) {
    let code = "";
    try {
      formBoundary(bad);
    } catch (error) {
      code = error instanceof S3Error ? error.code : String(error);
    }
    assertEquals(code, "PreconditionFailed", String(bad));
  }
});

Deno.test("readFormUpload: small and large files, with or without a final CRLF, in any chunking", async () => {
  const boundary = "----b0undary";
  for (const size of [0, 1, 1000, SMALL_FILE_BYTES + 10]) {
    const file = new Uint8Array(size).map((_, i) => (i * 31 + 7) % 251);
    for (const closing of ["\r\n", ""]) {
      if (size > SMALL_FILE_BYTES && closing === "") continue; // large files need the usual CRLF
      for (const chunk of [1, 7, 65536]) {
        if (chunk < 65536 && size > 1000) continue;
        const whole = body(boundary, file, closing);
        const form = await readFormUpload(streamOf(whole, chunk), boundary, whole.length);
        assertEquals(form.fields.get("key"), "k/${filename}");
        assertEquals([form.file.filename, form.file.contentType, form.file.sizeBytes], [
          "a b.txt",
          "text/plain",
          size,
        ]);
        const got = await readAll(form.file.body);
        assert(
          got.length === size && got.every((byte, i) => byte === file[i]),
          `size ${size}, chunk ${chunk}`,
        );
      }
    }
  }
});

Deno.test("readFormUpload: parts after a small file are ignored, as S3 ignores them", async () => {
  const boundary = "xyz";
  const file = new Uint8Array(1000).map((_, i) => i % 251);
  const late = `\r\n--${boundary}\r\nContent-Disposition: form-data; name="late"\r\n\r\nv` +
    `\r\n--${boundary}\r\nContent-Disposition: form-data; name="submit"\r\n\r\nUpload`;
  for (const closing of ["\r\n", ""]) {
    for (const chunk of [1, 7, 65536]) {
      const whole = body(boundary, file, closing, late);
      const form = await readFormUpload(streamOf(whole, chunk), boundary, whole.length);
      assertEquals([form.file.sizeBytes, form.fields.has("late")], [1000, false]);
      assertEquals(await readAll(form.file.body), file, `chunk ${chunk}`);
    }
  }
  // Trailing parts must still end with the closing delimiter.
  const unclosed = body(boundary, file, "", late).slice(0, -`\r\n--${boundary}--`.length);
  let failure = "";
  try {
    await readFormUpload(streamOf(unclosed, 65536), boundary, unclosed.length);
  } catch (error) {
    failure = error instanceof S3Error ? error.code : String(error);
  }
  assertEquals(failure, "MalformedPOSTRequest");
});

Deno.test("readFormUpload: a part after a large file fails the file stream", async () => {
  const boundary = "xyz";
  const extra = `\r\n--${boundary}\r\nContent-Disposition: form-data; name="late"\r\n\r\nv`;
  const whole = body(boundary, new Uint8Array(SMALL_FILE_BYTES + 10), "\r\n", extra);
  let failure = "";
  try {
    const form = await readFormUpload(streamOf(whole, 65536), boundary, whole.length);
    await readAll(form.file.body);
  } catch (error) {
    failure = error instanceof S3Error ? error.code : String(error);
  }
  assertEquals(failure, "MalformedPOSTRequest");
});

Deno.test("readFormUpload: no file part, or too many bytes of fields, are refused", async () => {
  const boundary = "q";
  const noFile = encoder.encode(`--q\r\nContent-Disposition: form-data; name="key"\r\n\r\nk\r\n--q--\r\n`);
  const bigField = encoder.encode(
    `--q\r\nContent-Disposition: form-data; name="key"\r\n\r\n${"x".repeat(30_000)}`,
  );
  for (
    const [bytes, code] of [[noFile, "InvalidArgument"], [bigField, "MaxPostPreDataLengthExceeded"]] as const
  ) {
    let failure = "";
    try {
      await readFormUpload(streamOf(bytes, 1000), boundary, bytes.length);
    } catch (error) {
      failure = error instanceof S3Error ? error.code : String(error);
    }
    assertEquals(failure, code);
  }
});
