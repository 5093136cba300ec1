/**
 * Reads the bytes of an object head wherever they live: inline pages, an erasure-coded tier (decompressed
 * when the archive stored it compressed), or the parts of a composite (multipart) object, each restricted
 * to a byte range.
 */
import {
  type CompositePart,
  INLINE_PAGE_BYTES,
  type MetadataCatalog,
  type ObjectHead,
  StoreError,
} from "../storage/mod.ts";
import type { ByteRange, RegionalTier } from "./regional_tier.ts";
import { decompressed, sliceStream } from "./compression.ts";

/** Streams the stored bytes of objects. */
export class DataReader {
  readonly #catalog: MetadataCatalog;
  readonly #regional: RegionalTier;

  constructor(catalog: MetadataCatalog, regional: RegionalTier) {
    this.#catalog = catalog;
    this.#regional = regional;
  }

  /** The bytes of `range` of `head` (the whole object when omitted). */
  async read(head: ObjectHead, range?: ByteRange): Promise<ReadableStream<Uint8Array>> {
    const whole = { start: 0, end: head.sizeBytes - 1 };
    const wanted = range ?? whole;
    if (head.sizeBytes === 0) return emptyStream();
    switch (head.location) {
      case "inline":
        return await this.#readInline(head, wanted);
      case "regional": {
        const manifest = await this.#manifest(head.dataId);
        if (manifest.compression === undefined) return this.#regional.read(manifest, wanted);
        // Compressed (archived) data is decompressed from its start; a range costs what comes before it.
        return sliceStream(decompressed(this.#regional.read(manifest)), wanted.start, wanted.end);
      }
      case "composite":
        return this.#readComposite(head.dataId, wanted);
    }
  }

  async #readInline(head: ObjectHead, range: ByteRange): Promise<ReadableStream<Uint8Array>> {
    const pageCount = Math.ceil(head.sizeBytes / INLINE_PAGE_BYTES);
    const pages = await this.#catalog.readInlinePages(head.dataId, pageCount);
    const chunks: Uint8Array[] = [];
    pages.forEach((page, index) => {
      const pageStart = index * INLINE_PAGE_BYTES;
      const from = Math.max(range.start - pageStart, 0);
      const to = Math.min(range.end + 1 - pageStart, page.length);
      if (to > from) chunks.push(page.subarray(from, to));
    });
    return new ReadableStream({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk);
        controller.close();
      },
    });
  }

  async #readComposite(dataId: string, range: ByteRange): Promise<ReadableStream<Uint8Array>> {
    const pages = await this.#catalog.getCompositeManifest(dataId);
    if (pages === null) throw new StoreError("corrupt_record", `Composite data ${dataId} has no manifest`);
    const pieces: { part: CompositePart; range: ByteRange }[] = [];
    let offset = 0;
    for (const page of pages) {
      for (const part of page.parts) {
        const from = Math.max(range.start, offset);
        const to = Math.min(range.end, offset + part.sizeBytes - 1);
        if (to >= from) pieces.push({ part, range: { start: from - offset, end: to - offset } });
        offset += part.sizeBytes;
      }
    }
    let index = 0;
    let current: ReadableStreamDefaultReader<Uint8Array> | null = null;
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        while (true) {
          if (current === null) {
            if (index >= pieces.length) return controller.close();
            const piece = pieces[index++];
            const manifest = await this.#manifest(piece.part.dataId);
            current = this.#regional.read(manifest, piece.range).getReader();
          }
          const { value, done } = await current.read();
          if (!done) return controller.enqueue(value);
          current = null;
        }
      },
      cancel: async (reason) => {
        await current?.cancel(reason);
      },
    });
  }

  async #manifest(dataId: string) {
    const manifest = await this.#catalog.getErasureManifest(dataId);
    if (manifest === null) throw new StoreError("corrupt_record", `Data ${dataId} has no manifest`);
    return manifest;
  }
}

function emptyStream(): ReadableStream<Uint8Array> {
  return new ReadableStream({ start: (controller) => controller.close() });
}
