import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic.ts';

/** Reads the token file, creating it (32 random bytes, hex, mode 0600) on first start. */
export async function ensureToken(file: string): Promise<string> {
  try {
    const text = (await fs.readFile(file, 'utf8')).trim();
    if (/^[0-9a-f]{64,}$/.test(text)) {
      await fs.chmod(file, 0o600);
      return text;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  // Missing or unusable: write a fresh one (a damaged token would lock every client out anyway).
  const token = randomBytes(32).toString('hex');
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  // 0600 from the first byte: created under a temp name with that mode, then renamed into place.
  await writeFileAtomic(file, token + '\n', 0o600);
  return token;
}

/** Constant-time check of an `Authorization: Bearer <token>` header. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (m == null) return false;
  // Hashing first makes both sides the same length, so the comparison leaks nothing about the token's length.
  const a = createHash('sha256').update(m[1]!).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

/** Host must name this loopback listener exactly: anything else may be a DNS-rebinding page. */
export function hostAllowed(host: string | undefined, port: number): boolean {
  if (host == null) return false;
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/**
 * No Origin (Blender, scripts) is fine; a browser's Origin must be on the allow-list, which is empty by default,
 * or be this daemon's own page (the dashboard, served on `port`). /ws still needs the token, which no page has.
 */
export function originAllowed(origin: string | undefined, allowList: readonly string[], port?: number): boolean {
  if (origin == null || allowList.includes(origin)) return true;
  return port != null && (origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`);
}
