import { StoreError } from "../core/mod.ts";
import { socketUpload, type SocketUploadRequest, UploadSourceError } from "./socket_upload.ts";
import { WaitDeadline } from "./wait_deadline.ts";
import { assert, assertEquals, assertRejects } from "./test_assert.ts";
import { chunkedStream, patternBytes } from "./test_support.ts";
import { withRawServer, withServer } from "./socket_test_support.ts";
import { untilAborted } from "./socket_http.ts";

function upload(url: URL, body: ReadableStream<Uint8Array>, contentLength: number, timeoutMs = 5000) {
  const deadline = new WaitDeadline(timeoutMs, "test upload");
  const request: SocketUploadRequest = {
    url,
    method: "PUT",
    headers: { "x-test": "yes" },
    contentLength,
    body,
    deadline,
  };
  return { deadline, result: socketUpload(request) };
}

/** An endless stream of 64 KiB chunks that records how much was taken and how it was cancelled. */
function endlessSource() {
  const state = { taken: 0, cancelled: Promise.withResolvers<unknown>() };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(new Uint8Array(64 * 1024));
      state.taken += 64 * 1024;
    },
    cancel: (reason) => state.cancelled.resolve(reason),
  }, { highWaterMark: 0 });
  return { stream, state };
}

Deno.test("socketUpload() sends the body with its Content-Length and returns the answer", async () => {
  const bytes = patternBytes(300_001);
  await withServer(async (request) => {
    const received = new Uint8Array(await request.arrayBuffer());
    const same = received.length === bytes.length && received.every((byte, index) => byte === bytes[index]);
    return Response.json({
      length: request.headers.get("content-length"),
      chunked: request.headers.get("transfer-encoding"),
      test: request.headers.get("x-test"),
      path: new URL(request.url).pathname + new URL(request.url).search,
      same,
    }, { status: 201 });
  }, async (url) => {
    const { result } = upload(url, chunkedStream(bytes, 40_000), bytes.length);
    const { response } = await result;
    assertEquals(response.status, 201);
    assertEquals(await response.json(), {
      length: "300001",
      chunked: null,
      test: "yes",
      path: "/v1/upload?x=1",
      same: true,
    });
  });
});

Deno.test("socketUpload() fails a body shorter or longer than declared, and the server sees no whole body", async () => {
  const outcomes: string[] = [];
  await withServer(async (request) => {
    try {
      await request.arrayBuffer();
      outcomes.push("whole");
    } catch {
      outcomes.push("broken");
    }
    return new Response(null, { status: 201 });
  }, async (url) => {
    const short = upload(url, chunkedStream(patternBytes(1000), 100), 2000);
    const error = await assertRejects(() => short.result, UploadSourceError);
    assert(String(error.source).includes("ended after 1000 of its declared 2000"), String(error.source));
    const long = upload(url, chunkedStream(patternBytes(3000), 1000), 2000);
    const tooLong = await assertRejects(() => long.result, UploadSourceError);
    assert(String(tooLong.source).includes("past its declared 2000"), String(tooLong.source));
  });
  assert(!outcomes.includes("whole"), `server outcomes ${outcomes}`);
});

Deno.test("socketUpload() returns an early error answer and stops taking the source", async () => {
  await withServer(async (request) => {
    const reader = request.body!.getReader();
    await reader.read();
    await reader.cancel();
    return Response.json({ error: "disk_full" }, { status: 507 });
  }, async (url) => {
    const { stream, state } = endlessSource();
    const { result } = upload(url, stream, 1024 ** 3);
    const answer = await result;
    assertEquals(answer.response.status, 507);
    assertEquals(await answer.response.json(), { error: "disk_full" });
    const reason = new Error("stop");
    await answer.stopSource(reason);
    assertEquals(await state.cancelled.promise, reason);
    assert(state.taken < 1024 ** 3 / 4, `took ${state.taken} bytes`);
  });
});

Deno.test("socketUpload() reports a failing source as UploadSourceError", async () => {
  await withServer(async (request) => {
    await request.arrayBuffer().catch(() => {});
    return new Response(null, { status: 201 });
  }, async (url) => {
    const failure = new Error("encoder broke");
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (++pulls === 3) controller.error(failure);
        else controller.enqueue(new Uint8Array(1000));
      },
    }, { highWaterMark: 0 });
    const error = await assertRejects(() => upload(url, stream, 10_000).result, UploadSourceError);
    assertEquals(error.source, failure);
  });
});

Deno.test("socketUpload() times out on a worker that stops reading, and closes the connection", async () => {
  let connections = 0;
  await withRawServer(async (_conn) => {
    connections++;
    // Read nothing: the client's writes fill the socket buffers and then wait on us.
    await new Promise((resolve) => setTimeout(resolve, 1500));
  }, async (url) => {
    const { stream } = endlessSource();
    const startedMs = performance.now();
    const { deadline, result } = upload(url, stream, 1024 ** 3, 300);
    const error = await assertRejects(() => result, StoreError, "waited more than 300 ms");
    assertEquals(error.kind, "unavailable");
    assert(deadline.timedOut);
    const elapsedMs = performance.now() - startedMs;
    assert(elapsedMs < 1400, `gave up after ${elapsedMs} ms`);
  });
  assertEquals(connections, 1);
});

Deno.test("socketUpload() does not time out while its own source is slow", async () => {
  await withServer(async (request) => {
    const length = (await request.arrayBuffer()).byteLength;
    return Response.json({ length }, { status: 201 });
  }, async (url) => {
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (pulls++ === 4) return controller.close();
        await new Promise((resolve) => setTimeout(resolve, 150));
        controller.enqueue(new Uint8Array(100));
      },
    }, { highWaterMark: 0 });
    const { response } = await upload(url, stream, 400, 100).result;
    assertEquals(await response.json(), { length: 400 });
  });
});

Deno.test("socketUpload() rejects with the caller's reason when aborted mid-body", async () => {
  await withServer(async (request) => {
    await request.arrayBuffer().catch(() => {});
    return new Response(null, { status: 201 });
  }, async (url) => {
    const caller = new AbortController();
    const reason = new StoreError("quorum_not_met", "other shards failed");
    const { stream, state } = endlessSource();
    const deadline = new WaitDeadline(5000, "test upload", caller.signal);
    const result = socketUpload({
      url,
      method: "PUT",
      headers: {},
      contentLength: 1024 ** 3,
      body: stream,
      deadline,
    });
    while (state.taken < 1024 * 1024) await new Promise((resolve) => setTimeout(resolve, 5));
    caller.abort(reason);
    assertEquals(await assertRejects(() => result, StoreError), reason);
  });
});

Deno.test("socketUpload() reads chunked and close-delimited answers, and skips 100 Continue", async () => {
  const answers = [
    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\n\r\n" +
    '4\r\n{"a"\r\n3;ext=1\r\n:1}\r\n0\r\n\r\n',
    'HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/json\r\n\r\n{"error":"x"}',
  ];
  let index = 0;
  await withRawServer(async (conn) => {
    const answer = answers[index++];
    const buffer = new Uint8Array(64 * 1024);
    let received = "";
    while (!received.includes("\r\n\r\nbody")) {
      const read = await conn.read(buffer);
      if (read === null) return;
      received += new TextDecoder().decode(buffer.subarray(0, read));
    }
    const bytes = new TextEncoder().encode(answer);
    let offset = 0;
    while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
  }, async (url) => {
    const body = () => chunkedStream(new TextEncoder().encode("body"), 4);
    const first = await upload(url, body(), 4).result;
    assertEquals([first.response.status, await first.response.json()], [201, { a: 1 }]);
    const second = await upload(url, body(), 4).result;
    assertEquals([second.response.status, await second.response.text()], [500, '{"error":"x"}']);
  });
});

Deno.test("socketUpload() fails cleanly when nothing listens or the worker closes without answering", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const refused = upload(new URL(`http://127.0.0.1:${port}/x`), chunkedStream(patternBytes(10)), 10);
  assertEquals((await assertRejects(() => refused.result, StoreError)).kind, "unavailable");
  await withRawServer(async (conn) => {
    await conn.read(new Uint8Array(1024));
  }, async (url) => {
    const silent = upload(url, chunkedStream(patternBytes(10)), 10);
    const error = await assertRejects(() => silent.result, StoreError, "closed before answering");
    assertEquals(error.kind, "unavailable");
  });
});

Deno.test("untilAborted() stops waiting when the signal aborts and discards a late value", async () => {
  const { promise: work, resolve } = Promise.withResolvers<string>();
  const controller = new AbortController();
  const discarded: string[] = [];
  const waiting = untilAborted(work, controller.signal, (late) => discarded.push(late));
  const reason = new Error("deadline");
  controller.abort(reason);
  assertEquals(await assertRejects(() => waiting, Error), reason);
  resolve("late connection");
  await work;
  assertEquals(discarded, ["late connection"]);
  assertEquals(await untilAborted(Promise.resolve(7), new AbortController().signal, () => {}), 7);
  const failing = untilAborted(Promise.reject(new Error("refused")), new AbortController().signal, () => {});
  await assertRejects(() => failing, Error, "refused");
});
