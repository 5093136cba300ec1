/** Small response builders shared by the handlers. */

/** A 200 (or `status`) response with an XML body. */
export function xmlResponse(xml: string, status = 200, headers: HeadersInit = {}): Response {
  const out = new Headers(headers);
  out.set("content-type", "application/xml");
  return new Response(xml, { status, headers: out });
}
