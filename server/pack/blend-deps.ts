import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runGuarded } from '../util/child.ts';

/** What Blender itself says a .blend depends on. */
export interface BlendDeps {
  /** Whether Blender could open the file at all. */
  opened: boolean;
  blenderVersion?: string;
  /** Every external path as stored in the file ('//' = relative to the .blend). */
  paths: Array<{ raw: string; absolute: boolean; exists: boolean; resolved: string }>;
  libraries: string[];
  error?: string;
}

// Runs inside Blender. Prints one marker line with JSON so Blender's own chatter can be ignored.
const SCRIPT = `
import bpy, json, os, sys
out = {"opened": bool(bpy.data.filepath), "blenderVersion": bpy.app.version_string, "paths": [], "libraries": []}
if out["opened"]:
    seen = set()
    for raw in bpy.utils.blend_paths(absolute=False, packed=False, local=False):
        if raw in seen:
            continue
        seen.add(raw)
        resolved = os.path.normpath(bpy.path.abspath(raw))
        out["paths"].append({"raw": raw, "absolute": not raw.startswith("//"), "exists": os.path.exists(resolved), "resolved": resolved})
    out["libraries"] = [lib.filepath for lib in bpy.data.libraries]
sys.stdout.write("COLOPHON_BLEND_DEPS " + json.dumps(out) + "\\n")
sys.stdout.flush()
`;

let blenderPath: string | null | undefined;

/** The blender binary on PATH (or $BLENDER), or null when there is none. */
export function findBlender(env: NodeJS.ProcessEnv = process.env): string | null {
  if (blenderPath !== undefined) return blenderPath;
  const candidates = env.BLENDER ? [env.BLENDER] : (env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, 'blender'));
  blenderPath = candidates.find((c) => {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      return fs.statSync(c).isFile();
    } catch {
      return false;
    }
  }) ?? null;
  return blenderPath;
}

/**
 * Memory cap for the Blender child: a .blend may legitimately inflate several times over (gzip/zstd) and Blender
 * itself maps ~1 GiB, but a 4 MB file that inflates to 4 GiB must not take the machine's memory with it.
 */
export function blenderMemoryCap(fileBytes: number): number {
  return Math.min(Math.max(3 * 1024 ** 3, fileBytes * 16), Math.max(3 * 1024 ** 3, os.totalmem()));
}

const BLENDER_TIMEOUT_MS = 120_000;

/** Opens the .blend in background Blender (factory settings, no add-ons, no scripts) and lists its dependencies. */
export async function readBlendDeps(blender: string, file: string, signal?: AbortSignal): Promise<BlendDeps> {
  const size = await fs.promises.stat(file).then((s) => s.size, () => 0);
  const r = await runGuarded(
    blender,
    ['-b', '--factory-startup', '-noaudio', '--disable-autoexec', file, '--python-expr', SCRIPT],
    {
      timeoutMs: BLENDER_TIMEOUT_MS,
      maxMemoryBytes: blenderMemoryCap(size),
      maxBuffer: 16 * 1024 * 1024,
      ...(signal != null ? { signal } : {}),
      env: { ...process.env, BLENDER_USER_CONFIG: '', BLENDER_USER_SCRIPTS: '' },
    },
  );
  const { stdout, stderr } = r;
  const line = stdout.split('\n').find((l) => l.startsWith('COLOPHON_BLEND_DEPS '));
  if (line != null) {
    try {
      const deps = JSON.parse(line.slice('COLOPHON_BLEND_DEPS '.length)) as BlendDeps;
      if (!deps.opened) deps.error = lastLine(stdout + stderr) ?? 'Blender could not open the file';
      return deps;
    } catch {
      /* fall through to the error below */
    }
  }
  const why = r.timedOut
    ? `Blender did not finish within ${BLENDER_TIMEOUT_MS / 1000} s`
    : lastLine(`${stdout}\n${stderr}`) ?? (r.code !== 0 ? `blender failed (${r.spawnError?.message ?? r.code ?? r.signal ?? 'unknown'})` : undefined);
  return { opened: false, paths: [], libraries: [], error: why ?? 'Blender gave no answer' };
}

/** The most telling line of Blender's output: the last error line, else the last line. */
function lastLine(text: string): string | undefined {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('Blender quit'));
  return lines.filter((l) => /error|failed|cannot/i.test(l)).pop() ?? lines.pop();
}
