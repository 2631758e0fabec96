/**
 * Something pasted where an ID or a name belongs that is a key or shared secret itself:
 * it must never reach a URL (the console's own or the API's query string).
 */
const SECRET_RE = /kw(ss)?_[0-9A-Za-z_-]{16,}/;

export const SECRET_INPUT_MESSAGE = 'This looks like a key or secret itself: it is not sent, so it stays out of URLs and logs.';

export function looksLikeSecret(text: string): boolean {
  return SECRET_RE.test(text);
}
