// A request URL as it may be logged: the value of any query parameter whose name says it holds a
// secret (api_key, apikey, x-api-key, key, token, access_token, secret, password, signature,
// authorization...) replaced by [redacted]. Pure; the request serializer uses it.

const SECRET_NAME = /(key|token|secret|passw|signature|authori[sz]ation|credential|^sig$|^auth$)/i;
export const REDACTED = '[redacted]';

export function redactUrl(url: string | undefined): string | undefined {
  if (url === undefined) return url;
  const q = url.indexOf('?');
  if (q < 0) return url;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq < 0 ? pair : pair.slice(0, eq);
      return eq >= 0 && SECRET_NAME.test(nameOf(rawName)) ? `${rawName}=${REDACTED}` : pair;
    })
    .join('&');
  return `${url.slice(0, q)}?${query}`;
}

/** The parameter name decoded (`api%5Fkey` is `api_key`); left as sent when it does not decode. */
function nameOf(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}
