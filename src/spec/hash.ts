/**
 * A short, stable fingerprint of a spec: JSON with sorted keys, hashed with
 * 64-bit FNV-1a. A saved result is reused only while its spec's fingerprint
 * matches (not a security measure: outputs are trusted or not by JupyterLab).
 */
function stable(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(stable).join(',')}]`;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stable(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function specHash(spec: unknown): string {
  const bytes = new TextEncoder().encode(stable(spec));
  // FNV-1a, 64 bits as two 32-bit halves (offset basis and prime of FNV-64).
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (let i = 0; i < bytes.length; i++) {
    // >>> 0 keeps the half unsigned (^ makes a signed 32-bit value).
    lo = (lo ^ bytes[i]) >>> 0;
    // Multiply (hi, lo) by the prime 0x100000001b3 = 2^40 + 0x1b3.
    const loProduct = lo * 0x1b3;
    const carry = Math.floor(loProduct / 0x100000000);
    const newLo = loProduct >>> 0;
    const newHi = (Math.imul(hi, 0x1b3) + carry + (lo << 8)) >>> 0;
    hi = newHi;
    lo = newLo;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}
