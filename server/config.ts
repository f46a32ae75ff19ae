import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ProfileSchema, type Profile, type ProfileInput } from '../protocol/src/profile.ts';
import { ColophonError } from './errors.ts';
import { resolvePaths, type ColophonPaths } from './paths.ts';
import { writeFileAtomic } from './util/atomic.ts';

export interface LoadedProfile {
  profile: Profile;
  warnings: string[];
  /** true when no config.json existed and embedded defaults are in use */
  defaults: boolean;
}

/** Validates a raw profile object; throws CONFIG_INVALID naming every bad field at once. */
export function parseProfile(raw: unknown, where: string, paths: ColophonPaths): LoadedProfile {
  const parsed = ProfileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ColophonError(
      'CONFIG_INVALID',
      `${where} is invalid:\n${problems.join('\n')}\nFix these fields or run \`colophon init\` to write a fresh profile.`,
      { data: parsed.error.issues },
    );
  }
  const warnings: string[] = [];
  const p = parsed.data;
  let creator = p.creator;
  if (creator == null) {
    const name = safeUserName();
    creator = { name };
    warnings.push(
      `creator is not set; using the OS user name "${name}". Run \`colophon init --creator "Your Name"\` to set it.`,
    );
  }
  const root = p.output.root != null ? path.resolve(p.output.root) : paths.defaultOutputRoot;
  return { profile: { ...p, creator, output: { root } }, warnings, defaults: false };
}

export async function loadProfile(paths: ColophonPaths = resolvePaths()): Promise<LoadedProfile> {
  let text: string;
  try {
    text = await fs.readFile(paths.config, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return { ...parseProfile({}, 'the embedded default profile', paths), defaults: true };
    }
    throw new ColophonError('CONFIG_INVALID', `Cannot read ${paths.config}: ${(err as Error).message}`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ColophonError(
      'CONFIG_INVALID',
      `${paths.config} is not valid JSON (${(err as Error).message}). Fix it or run \`colophon init\`.`,
      { cause: err },
    );
  }
  return parseProfile(raw, paths.config, paths);
}

export async function saveProfile(input: ProfileInput, paths: ColophonPaths = resolvePaths()): Promise<void> {
  // Validate before writing so a bad flag never leaves a broken config behind.
  parseProfile(input, 'the new profile', paths);
  await fs.mkdir(paths.configDir, { recursive: true });
  await writeFileAtomic(paths.config, JSON.stringify(input, null, 2) + '\n');
}

function safeUserName(): string {
  try {
    return os.userInfo().username || 'Unknown artist';
  } catch {
    return 'Unknown artist';
  }
}

/** Expands {year} and {creator} in a template. */
export function expandTemplate(template: string, profile: Profile, now = new Date()): string {
  return template.replaceAll('{year}', String(now.getFullYear())).replaceAll('{creator}', profile.creator.name);
}

