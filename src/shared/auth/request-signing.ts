// HMAC request signing, for producers that cannot keep a bearer key: each source may have a shared
// secret (SOURCE_SIGNING_SECRETS), and a request signed with it may write that source only.
//   X-Pipescope-Signature: t=<unix seconds>,s=<source>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
// The timestamp must be within SIGNATURE_WINDOW_S of the server's clock; MACs compare in constant time.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-pipescope-signature';
export const SIGNATURE_WINDOW_S = 300;

const SOURCE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const SECRET = /^[^\s:,]{32,}$/;

export function parseSigningSecrets(raw: string): Map<string, Buffer> {
  const secrets = new Map<string, Buffer>();
  raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .forEach((entry, index) => {
      const colon = entry.indexOf(':');
      const [source, secret] = [entry.slice(0, colon), entry.slice(colon + 1)];
      const fail = (why: string): never => {
        throw new Error(`SOURCE_SIGNING_SECRETS entry ${index + 1}: ${why}`);
      };
      if (colon < 0 || !SOURCE.test(source)) fail('expected source:secret with a valid source name');
      if (!SECRET.test(secret)) fail('secret must be at least 32 characters, without spaces, ":" or ","');
      if (secrets.has(source)) fail(`source ${source} appears twice`);
      secrets.set(source, Buffer.from(secret, 'utf8'));
    });
  return secrets;
}

export interface SignatureClaim {
  /** Unix seconds the producer signed at. */
  timestamp: number;
  source: string;
  mac: Buffer;
}

/** Reads the header; a string says what is wrong with it. */
export function parseSignatureHeader(value: string): SignatureClaim | string {
  const fields = new Map<string, string>();
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const t = fields.get('t') ?? '';
  const source = fields.get('s') ?? '';
  const v1 = fields.get('v1') ?? '';
  if (!/^\d{1,12}$/.test(t)) return 't= must be the signing time in unix seconds';
  if (!SOURCE.test(source)) return 's= must name the source';
  if (!/^[0-9a-f]{64}$/.test(v1)) return 'v1= must be 64 lowercase hex digits (HMAC-SHA256)';
  return { timestamp: Number(t), source, mac: Buffer.from(v1, 'hex') };
}

/** Seconds between the signing time and now, when outside the window; undefined when inside. */
export function outsideWindow(claim: SignatureClaim, nowMs: number): number | undefined {
  const skew = Math.round(nowMs / 1000) - claim.timestamp;
  return Math.abs(skew) > SIGNATURE_WINDOW_S ? skew : undefined;
}

export function signatureOf(secret: Buffer, timestamp: number, body: Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
}

export function signatureMatches(secret: Buffer, claim: SignatureClaim, body: Buffer): boolean {
  return timingSafeEqual(signatureOf(secret, claim.timestamp, body), claim.mac);
}

/** The header value a producer sends (used by the tests and the docs' example). */
export function signatureHeader(source: string, secret: string, body: Buffer, nowMs = Date.now()): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},s=${source},v1=${signatureOf(Buffer.from(secret, 'utf8'), t, body).toString('hex')}`;
}
