import { type Body } from '@penumbra/contracts';

const TEXTUAL = /^(text\/|application\/([\w.+-]*\+)?(json|xml|javascript|x-www-form-urlencoded|graphql|yaml)\b)/i;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Textual bodies that are valid UTF-8 are kept as text, everything else as base64. */
export function encodeBody(bytes: Buffer, contentType: string | undefined): Body | undefined {
  if (bytes.length === 0) return undefined;
  if (contentType === undefined || TEXTUAL.test(contentType)) {
    try {
      return { encoding: 'utf8', data: utf8.decode(bytes), truncated: false };
    } catch {
      return { encoding: 'base64', data: bytes.toString('base64'), truncated: false };
    }
  }
  return { encoding: 'base64', data: bytes.toString('base64'), truncated: false };
}

export function decodeBody(body: Body | undefined): Buffer | undefined {
  if (!body) return undefined;
  return body.encoding === 'utf8' ? Buffer.from(body.data, 'utf8') : Buffer.from(body.data, 'base64');
}

export function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
