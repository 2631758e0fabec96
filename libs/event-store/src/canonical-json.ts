/**
 * RFC 8785 (JCS) canonical JSON, written exactly as json-canonicalize's `canonicalize` writes it
 * (what every stored hash was computed over), without its per-value closures, path strings and
 * WeakMap: object keys sorted by UTF-16 code units, properties whose value is undefined left out,
 * undefined in arrays as null, strings, numbers and objects with toJSON (dates) as JSON.stringify
 * writes them, non-finite numbers refused. A cycle is refused too; a value repeated elsewhere in the
 * tree is written at each place (json-canonicalize also refuses some of those: its cycle check
 * compares paths as text, so `{ a: x, ab: x }` fails there — it never produced a hash to compare).
 */
export function canonicalJson(value: unknown): string {
  return write(value, []);
}

/** What JSON.stringify escapes in a string: quotes, backslashes, control characters and (lone) surrogates. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A string as JSON.stringify writes it; most need no escaping, and a call of JSON.stringify costs more than the check. */
function quote(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

function write(value: unknown, ancestors: object[]): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`Non-finite number (${value}) is not permitted in JSON (RFC 8785 \u00A73.2.2.3)`);
      return String(value); // what JSON.stringify writes for a finite number (ECMAScript's Number::toString, as RFC 8785 wants)
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if ((value as { toJSON?: unknown }).toJSON != null) return JSON.stringify(value) ?? 'undefined';
      break;
    default:
      // undefined (json-canonicalize appends JSON.stringify's undefined as text), functions, symbols; a bigint throws
      return JSON.stringify(value) ?? 'undefined';
  }
  if (ancestors.includes(value)) throw new Error('Circular reference detected');
  ancestors.push(value);
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      const element: unknown = value[i];
      out += element === undefined ? 'null' : write(element, ancestors);
    }
    out += ']';
  } else {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    out = '{';
    let next = false;
    for (const key of keys) {
      const v = record[key];
      if (v === undefined) continue;
      if (next) out += ',';
      next = true;
      out += quote(key) + ':' + write(v, ancestors);
    }
    out += '}';
  }
  ancestors.pop();
  return out;
}
