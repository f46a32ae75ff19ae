import zlib from 'node:zlib';

// The CRC-32 of data that is already covered by known CRCs, without reading the data again. zlib has this as
// crc32_combine, but Node exposes only zlib.crc32, and the npm package that wraps zlib's (@balena/node-crc-utils, an
// emscripten build) is published without a licence; it is a few lines of arithmetic on polynomials over GF(2),
// written out here.
//
// CRC-32 in its reflected form: bit 31 of a value is the coefficient of x^0, bit 0 that of x^31.
const POLY = 0xedb88320;

/** a(x)·b(x) modulo the CRC polynomial. */
function multiply(a: number, b: number): number {
  let product = 0;
  for (let bit = 0x80000000; bit !== 0; bit >>>= 1) {
    if ((a & bit) !== 0) product ^= b;
    b = (b & 1) !== 0 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return product >>> 0;
}

/** POWERS[k] = x^(2^k) modulo the polynomial. */
const POWERS: number[] = [0x40000000];
for (let k = 1; k < 32; k++) POWERS.push(multiply(POWERS[k - 1]!, POWERS[k - 1]!));

/** x^(8·bytes) modulo the polynomial: what appending `bytes` bytes does to a CRC register. */
function shiftFor(bytes: number): number {
  let p = 0x80000000; // x^0
  // bytes·8 = bytes·2^3, so the binary digits of `bytes` pick powers from POWERS[3] on.
  for (let n = bytes, k = 3; n > 0; n = Math.floor(n / 2), k++) if (n % 2 === 1) p = multiply(POWERS[k % 32]!, p);
  return p;
}

/**
 * Folds pieces of one chunk together: each piece is `prefix` followed by data of length `bytes` whose CRC (prefix
 * included) is `crc` — as every PNG chunk's CRC covers its type and then its data. Returns the CRC of `prefix`
 * followed by all the pieces' data, one after another. A piece whose CRC was wrong makes the result wrong too.
 */
export function crc32OfJoined(prefix: Buffer, pieces: Array<{ crc: number; bytes: number }>): number {
  const ofPrefix = zlib.crc32(prefix);
  const shifts = new Map<number, number>();
  let joined: number | null = null;
  for (const { crc, bytes } of pieces) {
    if (joined == null) {
      joined = crc >>> 0;
      continue;
    }
    let shift = shifts.get(bytes);
    if (shift == null) shifts.set(bytes, (shift = shiftFor(bytes)));
    // crc(prefix ‖ d) = shift·crc(prefix) ⊕ crc(d), so crc(d) = crc ⊕ shift·crc(prefix), and appending d to what is
    // joined so far gives shift·joined ⊕ crc(d) = shift·(joined ⊕ crc(prefix)) ⊕ crc.
    joined = (multiply(shift, joined ^ ofPrefix) ^ crc) >>> 0;
  }
  return joined ?? ofPrefix;
}
