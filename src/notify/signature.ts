/** Signing a webhook delivery: HMAC-SHA256 over `<timestamp>.<body>`, as docs/webhooks.md shows receivers. */

const encoder = new TextEncoder();

/** The headers every delivery carries. */
export const DELIVERY_HEADER = "X-Barn-Delivery";
export const TIMESTAMP_HEADER = "X-Barn-Timestamp";
export const SIGNATURE_HEADER = "X-Barn-Signature";

/** `sha256=<hex>` of HMAC-SHA256(secret, timestamp + "." + body). */
export async function signDelivery(
  secret: string,
  timestamp: string,
  body: string,
): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(`${timestamp}.${body}`));
  return "sha256=" + [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
