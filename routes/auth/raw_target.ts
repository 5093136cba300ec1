/**
 * The request target exactly as the client sent it. SigV4 signs the path and query as they were on
 * the wire, but `new URL()` rewrites paths: it resolves `.` and `..` segments (also `%2e`), turns `\`
 * into `/` and percent-encodes some characters. `Deno.serve` keeps `request.url` as the raw target
 * appended to the origin, so the raw path and query are cut out of that string, never re-parsed.
 */

/** Raw path and query of a request, without the `?`. */
export interface RawTarget {
  /** Path as sent, starting with `/` (percent escapes untouched). */
  path: string;
  /** Query as sent, without the leading `?` (empty when there is none). */
  query: string;
}

const ORIGIN = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;

/** Splits `requestUrl` (an absolute URL string such as `request.url`) into its raw path and query. */
export function rawRequestTarget(requestUrl: string): RawTarget {
  const origin = ORIGIN.exec(requestUrl);
  let rest = origin === null ? requestUrl : requestUrl.slice(origin[0].length);
  const hash = rest.indexOf("#");
  if (hash >= 0) rest = rest.slice(0, hash);
  const question = rest.indexOf("?");
  const path = question >= 0 ? rest.slice(0, question) : rest;
  const query = question >= 0 ? rest.slice(question + 1) : "";
  return { path: path.startsWith("/") ? path : "/" + path, query };
}
