import fs from 'node:fs/promises';
import path from 'node:path';
import type { LedgerEntry } from '../../protocol/src/ledger.ts';
import { parseReply } from '../evidence/rfc3161.ts';
import { sha256Hex } from '../util/hash.ts';
import type { Ledger } from './ledger.ts';

interface AnchorProblem {
  /** The ledger.anchored entry, when the problem is with one. */
  seq?: number;
  /** The kept reply file, when the problem is with one. */
  file?: string;
  problem: string;
}

export interface AnchorReport {
  ok: boolean;
  /** ledger.anchored entries checked. */
  recorded: number;
  /** Reply files (.tsr) in the anchors folder checked. */
  replies: number;
  problems: AnchorProblem[];
}

/**
 * Checks the RFC 3161 anchors against the ledger. Each `ledger.anchored` entry must point at an entry that is
 * still there with the hash the authority stamped, and carry a reply that says so. Each reply kept in the anchors
 * folder must stamp an entry that is still in the ledger and be recorded by a `ledger.anchored` entry: a ledger
 * cut short (or rewritten) after it was anchored fails here even though its shorter chain verifies. The
 * authority's signature is not re-checked (that needs its CA: `openssl ts -verify`, as the entry's verifyWith says).
 */
export async function verifyAnchors(ledger: Ledger, anchorsFolder: string): Promise<AnchorReport> {
  const problems: AnchorProblem[] = [];
  let entries: LedgerEntry[];
  try {
    entries = await ledger.readAll();
  } catch (err) {
    return { ok: false, recorded: 0, replies: 0, problems: [{ problem: (err as Error).message }] };
  }
  const bySeq = new Map(entries.map((e) => [e.seq, e]));
  const byHash = new Map(entries.map((e) => [e.hash, e]));
  const recordedReplies = new Set<string>();
  let recorded = 0;
  for (const e of entries) {
    if (e.type !== 'ledger.anchored') continue;
    recorded++;
    const d = e.data as Record<string, unknown>;
    const bad = (problem: string) => problems.push({ seq: e.seq, problem: `anchor entry ${e.seq}: ${problem}` });
    const target = bySeq.get(Number(d.anchoredSeq));
    if (target == null || target.hash !== d.anchoredHash) {
      bad(`it anchors entry ${String(d.anchoredSeq)} with hash ${String(d.anchoredHash).slice(0, 16)}…, but the ledger's entry ${String(d.anchoredSeq)} ${target == null ? 'is missing' : 'has another hash'}: the ledger was rewritten`);
      continue;
    }
    if (typeof d.reply !== 'string') {
      bad('it carries no time-stamp reply');
      continue;
    }
    const der = Buffer.from(d.reply, 'base64');
    recordedReplies.add(sha256Hex(der));
    if (d.replySha256 != null && d.replySha256 !== sha256Hex(der)) bad('its reply does not match the replySha256 recorded with it');
    try {
      const reply = parseReply(der);
      if (reply.digestHex !== target.hash) bad(`its reply stamps ${String(reply.digestHex).slice(0, 16)}…, not entry ${target.seq}'s hash`);
      else if (d.genTime != null && reply.genTime !== d.genTime) bad(`its reply's time ${reply.genTime} differs from the recorded ${String(d.genTime)}`);
    } catch (err) {
      bad((err as Error).message);
    }
  }

  let names: string[] = [];
  try {
    names = (await fs.readdir(anchorsFolder)).filter((n) => n.endsWith('.tsr')).sort();
  } catch {
    // no anchors folder: nothing was ever anchored on this machine
  }
  for (const name of names) {
    const file = path.join(anchorsFolder, name);
    const der = await fs.readFile(file);
    let reply: ReturnType<typeof parseReply>;
    try {
      reply = parseReply(der);
    } catch (err) {
      problems.push({ file, problem: `${name}: ${(err as Error).message}` });
      continue;
    }
    const stamped = reply.digestHex != null ? byHash.get(reply.digestHex) : undefined;
    if (stamped == null) {
      problems.push({
        file,
        problem: `${name} proves the ledger had an entry with hash ${String(reply.digestHex).slice(0, 16)}… at ${reply.genTime}, and the ledger no longer has it: it was cut short or rewritten after it was anchored`,
      });
    } else if (!recordedReplies.has(sha256Hex(der))) {
      problems.push({
        file,
        problem: `${name} time-stamps entry ${stamped.seq} at ${reply.genTime}, but the ledger.anchored entry recording it is gone: the ledger was cut short after entry ${entries.length - 1}`,
      });
    }
  }
  return { ok: problems.length === 0, recorded, replies: names.length, problems };
}
