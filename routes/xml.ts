/**
 * S3 XML in and out, through fast-xml-parser: `renderXml` builds a response document from plain
 * objects (arrays become repeated elements), `parseXml` validates and parses a request body.
 */
import { XMLBuilder, XMLParser, XMLValidator } from "fast-xml-parser";
import { S3Error } from "./s3_errors.ts";

/** The S3 XML namespace. */
export const S3_XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/";

/** A value that renders as XML: text, nested elements, or repeated elements. */
export type XmlValue = string | number | boolean | null | undefined | XmlElement | XmlValue[];
/** Child elements by name; `@_name` keys are attributes. */
export interface XmlElement {
  [name: string]: XmlValue;
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  suppressEmptyNode: false,
  format: false,
  // Text is escaped by `escapeText` below (which also handles control characters).
  processEntities: false,
});

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  removeNSPrefix: true,
  processEntities: true,
  // Go's encoding/xml (rclone, MinIO clients) writes quotes as numeric references (&#34;).
  htmlEntities: true,
  isArray: (name) => ["Part", "Object", "Tag", "Rule", "CORSRule"].includes(name),
});

/** A complete XML document with declaration, whose root element is `rootName`. */
export function renderXml(rootName: string, root: XmlElement): string {
  const cleaned = dropUndefined({ [rootName]: root }) as XmlElement;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build(cleaned)}`;
}

/** Parses `text`; malformed XML (or an unexpected root) is `MalformedXML`. */
export function parseXml(text: string, expectedRoot: string): Record<string, unknown> {
  if (text.trim() === "") throw new S3Error("MalformedXML", "The request body is empty; expected XML");
  // S3 request documents never need a DTD; refusing them closes the door on entity expansion tricks.
  if (/<!DOCTYPE/i.test(text)) {
    throw new S3Error("MalformedXML", "Document type declarations are not allowed");
  }
  const verdict = XMLValidator.validate(text);
  if (verdict !== true) {
    throw new S3Error(
      "MalformedXML",
      `The XML is not well-formed: ${verdict.err.msg} (line ${verdict.err.line})`,
    );
  }
  let document: Record<string, unknown>;
  try {
    document = parser.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new S3Error("MalformedXML", `The XML could not be parsed: ${(error as Error).message}`);
  }
  const root = document[expectedRoot];
  if (root === undefined) {
    throw new S3Error("MalformedXML", `Expected a <${expectedRoot}> document`);
  }
  return typeof root === "object" && root !== null ? root as Record<string, unknown> : {};
}

function dropUndefined(value: XmlValue): XmlValue {
  if (Array.isArray(value)) return value.map(dropUndefined);
  if (value !== null && typeof value === "object") {
    const out: XmlElement = {};
    for (const [name, child] of Object.entries(value)) {
      if (child !== undefined) out[name] = dropUndefined(child);
    }
    return out;
  }
  return typeof value === "string" ? escapeText(value) : value;
}

/**
 * Escapes markup characters, and writes control characters as numeric references (as S3 does), so a
 * key holding CR or U+0001 survives instead of being normalised or breaking the document. Clients that
 * must round-trip such keys exactly should ask for `encoding-type=url`.
 */
export function escapeText(text: string): string {
  // deno-lint-ignore no-control-regex -- matching control characters is the point: they must be escaped.
  return text.replace(/[&<>"'\u0000-\u0008\u000b\u000c\u000d\u000e-\u001f\u007f]/g, (ch) => {
    switch (ch) {
      case "&":
        return "&amp;";
      case "<":
        return "&lt;";
      case ">":
        return "&gt;";
      case '"':
        return "&quot;";
      case "'":
        return "&apos;";
      default:
        return `&#x${ch.charCodeAt(0).toString(16).toUpperCase()};`;
    }
  });
}
