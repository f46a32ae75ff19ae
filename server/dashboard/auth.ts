import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A login code lives this long: enough to click the link, too short to be worth stealing from a shell history. */
export const CODE_TTL_MS = 2 * 60_000;
/** A browser session lasts a working day; `colophon dashboard` makes a new one. */
export const SESSION_TTL_MS = 12 * 60 * 60_000;
export const SESSION_COOKIE = 'colophon_session';
const MAX_CODES = 16;
const MAX_SESSIONS = 32;

export interface Session {
  id: string;
  /** Sent by the page in the X-Colophon-CSRF header on every state-changing request. */
  csrf: string;
  expires: number;
}

const secret = () => randomBytes(32).toString('hex');
const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * One-time login codes and the sessions they turn into. Everything is in memory: a daemon restart logs the
 * browser out, which is what a local tool should do. Codes are stored hashed and compared in constant time.
 */
export class DashboardAuth {
  private readonly codes = new Map<string, number>();
  private readonly sessions = new Map<string, Session>();

  issueCode(now = Date.now()): { code: string; expiresAt: Date } {
    this.sweep(now);
    const code = secret();
    this.codes.set(digest(code).toString('hex'), now + CODE_TTL_MS);
    trim(this.codes, MAX_CODES);
    return { code, expiresAt: new Date(now + CODE_TTL_MS) };
  }

  /** Spends a code: the first use of a live code opens a session, every other use gets null. */
  redeem(code: string | undefined, now = Date.now()): Session | null {
    this.sweep(now);
    if (code == null || !/^[0-9a-f]{64}$/.test(code)) return null;
    const key = digest(code).toString('hex');
    const expiry = this.codes.get(key);
    this.codes.delete(key);
    if (expiry == null || expiry < now) return null;
    const session: Session = { id: secret(), csrf: secret(), expires: now + SESSION_TTL_MS };
    this.sessions.set(session.id, session);
    trim(this.sessions, MAX_SESSIONS);
    return session;
  }

  session(id: string | undefined, now = Date.now()): Session | null {
    if (id == null) return null;
    const s = this.sessions.get(id);
    if (s == null) return null;
    if (s.expires < now) {
      this.sessions.delete(id);
      return null;
    }
    return s;
  }

  csrfMatches(session: Session, header: string | string[] | undefined): boolean {
    if (typeof header !== 'string') return false;
    return timingSafeEqual(digest(header), digest(session.csrf));
  }

  end(id: string): void {
    this.sessions.delete(id);
  }

  private sweep(now: number): void {
    for (const [k, exp] of this.codes) if (exp < now) this.codes.delete(k);
    for (const [k, s] of this.sessions) if (s.expires < now) this.sessions.delete(k);
  }
}

/** Maps keep insertion order: drop the oldest beyond the cap, so nobody can grow them without bound. */
function trim<V>(map: Map<string, V>, max: number): void {
  while (map.size > max) map.delete(map.keys().next().value!);
}

export interface DashboardHandle {
  auth: DashboardAuth;
  /** http://127.0.0.1:PORT once the daemon listens. */
  origin(): string;
}

// Keyed by the daemon's shared state, so the JSON-RPC handler finds the plugin's login store without
// DaemonState growing a dashboard field.
const handles = new WeakMap<object, DashboardHandle>();

export function attachDashboard(daemon: object, handle: DashboardHandle): void {
  handles.set(daemon, handle);
}

export function dashboardOf(daemon: object): DashboardHandle | undefined {
  return handles.get(daemon);
}
