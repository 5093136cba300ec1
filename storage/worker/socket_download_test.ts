import { StoreError } from "../core/mod.ts";
import { socketDownload } from "./socket_download.ts";
import { WaitDeadline } from "./wait_deadline.ts";
import { assert, assertEquals, assertRejects } from "./test_assert.ts";
import { patternBytes } from "./test_support.ts";
import { withRawServer, withServer } from "./socket_test_support.ts";

async function writeText(conn: Deno.Conn, text: string | Uint8Array): Promise<void> {
  const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}

/** Reads a request head off `conn` (the tests' requests have no body). */
async function readRequestHead(conn: Deno.Conn): Promise<string> {
  const buffer = new Uint8Array(16 * 1024);
  let text = "";
  while (!text.includes("\r\n\r\n")) {
    const read = await conn.read(buffer);
    if (read === null) break;
    text += new TextDecoder().decode(buffer.subarray(0, read));
  }
  return text;
}

Deno.test("socketDownload() reads a Content-Length body in exact pieces and sends the given headers", async () => {
  const bytes = patternBytes(2 * 1024 * 1024 + 7);
  let seen: Record<string, string | null> = {};
  await withServer((request) => {
    seen = {
      auth: request.headers.get("x-auth"),
      path: new URL(request.url).pathname + new URL(request.url).search,
    };
    return Promise.resolve(new Response(bytes, { headers: { "x-block-size": "16" } }));
  }, async (url) => {
    const answer = await socketDownload(url, { "x-auth": "signed" }, new WaitDeadline(5000, "test"));
    assert(answer.ok);
    assertEquals(answer.headers.get("x-block-size"), "16");
    const received = new Uint8Array(bytes.length + 100);
    let filled = 0;
    for (const piece of [1, 65_536, 3, 1024 * 1024, bytes.length]) {
      filled += await answer.body.readInto(
        received.subarray(filled, Math.min(filled + piece, received.length)),
      );
    }
    assertEquals(filled, bytes.length);
    assertEquals(received.subarray(0, filled), bytes);
    assert(await answer.body.atEnd());
    assertEquals(await answer.body.readInto(new Uint8Array(10)), 0);
  });
  assertEquals(seen, { auth: "signed", path: "/v1/upload?x=1" });
});

Deno.test("socketDownload() returns an error answer whole", async () => {
  await withServer(
    () => Promise.resolve(Response.json({ error: "shard_not_found", message: "no" }, { status: 404 })),
    async (url) => {
      const answer = await socketDownload(url, {}, new WaitDeadline(5000, "test"));
      assert(!answer.ok);
      assertEquals(answer.response.status, 404);
      assertEquals(await answer.response.json(), { error: "shard_not_found", message: "no" });
    },
  );
});

Deno.test("socketDownload() returns fewer bytes when the worker closes inside the body", async () => {
  await withRawServer(async (conn) => {
    await readRequestHead(conn);
    await writeText(conn, "HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n");
    await writeText(conn, patternBytes(600));
  }, async (url) => {
    const answer = await socketDownload(url, {}, new WaitDeadline(5000, "test"));
    assert(answer.ok);
    const target = new Uint8Array(1000);
    assertEquals(await answer.body.readInto(target), 600);
    assertEquals(await answer.body.atEnd(), false);
  });
});

Deno.test("socketDownload() times out on a worker that stalls before answering or inside the body", async () => {
  for (const stallInBody of [false, true]) {
    await withRawServer(async (conn) => {
      await readRequestHead(conn);
      if (stallInBody) await writeText(conn, "HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\nabc");
      await new Promise((resolve) => setTimeout(resolve, 1200));
    }, async (url) => {
      const deadline = new WaitDeadline(200, "test read");
      const startedMs = performance.now();
      const read = async () => {
        const answer = await socketDownload(url, {}, deadline);
        assert(answer.ok);
        await answer.body.readInto(new Uint8Array(1000));
      };
      const error = await assertRejects(read, StoreError, "waited more than 200 ms");
      assertEquals(error.kind, "unavailable");
      assert(performance.now() - startedMs < 1000, `stall in body: ${stallInBody}`);
    });
  }
});

Deno.test("socketDownload() stops with the caller's reason, and a cancelled body refuses more reads", async () => {
  await withRawServer(async (conn) => {
    await readRequestHead(conn);
    await writeText(conn, "HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n");
    await new Promise((resolve) => setTimeout(resolve, 500));
  }, async (url) => {
    const caller = new AbortController();
    const answer = await socketDownload(url, {}, new WaitDeadline(5000, "test", caller.signal));
    assert(answer.ok);
    const reason = new StoreError("unavailable", "the stripe reader gave up on this shard");
    const pending = answer.body.readInto(new Uint8Array(100));
    caller.abort(reason);
    assertEquals(await assertRejects(() => pending, StoreError), reason);
    await answer.body.cancel();
    await assertRejects(() => answer.body.readInto(new Uint8Array(10)), StoreError, "cancelled");
  });
});
