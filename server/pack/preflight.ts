import path from 'node:path';
import type { BlendDeps } from './blend-deps.ts';
import { MARKET_RULES, PWYW_LIMIT_BYTES } from './markets.ts';
import { caseClashes, nameProblems } from './names.ts';
import type { MarketProfile } from './markets.ts';
import type { OriginalScan } from './scan.ts';

type Severity = 'fail' | 'warning' | 'info';

/** One pre-flight finding; `fail` would get the pack rejected (or breaks it for buyers). */
export interface Finding {
  id: string;
  severity: Severity;
  message: string;
  files?: string[];
}

/** What pre-flight knows about one file of the pack. */
export interface FileFacts {
  rel: string;
  /** Readable location of the original (or its extracted copy). */
  abs: string;
  bytes: number;
  processed: boolean;
  kind?: string;
  format?: string;
  width?: number;
  height?: number;
  scan?: OriginalScan;
  /** Size of the public preview made from it, when one was made. */
  preview?: { width?: number; height?: number };
}

export interface PreflightInput {
  market: MarketProfile;
  files: FileFacts[];
  /** Root the pack's files live under (to tell whether a .blend reaches outside the pack). */
  root: string;
  /** Blender's answer per .blend, or null when Blender is not available. */
  blendDeps: Map<string, BlendDeps> | null;
  /** Whether the public previews carry a visible watermark. */
  watermarked: boolean;
  /** Names our own documents take at the top of the zip, to catch clashes with the pack's files. */
  reservedNames: string[];
}

const isPow2 = (n: number) => n > 0 && (n & (n - 1)) === 0;
const IMAGE_KINDS = new Set(['render', 'texture', 'hdri']);
const human = (n: number) => (n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GB` : `${(n / 1024 ** 2).toFixed(1)} MB`);

/** Runs every check that applies to the market; returns findings and what could not be checked. */
export function preflight(input: PreflightInput): { findings: Finding[]; notChecked: string[] } {
  const rules = MARKET_RULES[input.market];
  const findings: Finding[] = [];
  const notChecked: string[] = [];
  const add = (id: string, severity: Severity, message: string, files?: string[]) => {
    if (files != null && files.length === 0) return;
    findings.push(files ? { id, severity, message, files } : { id, severity, message });
  };
  const files = input.files;
  const images = files.filter((f) => f.processed && f.kind != null && IMAGE_KINDS.has(f.kind));

  // Privacy: things buyers should not learn from the files.
  add('gps', 'warning', 'These originals contain a GPS position. The stamped copies in the private zip keep it; remove it (e.g. `exiftool -gps:all= FILE`) before delivery if it is your home or studio.',
    files.filter((f) => f.scan?.gps).map((f) => f.rel));
  add('serials', 'warning', 'These originals contain camera/lens serial numbers or an owner name, which identify your equipment. Remove them before delivery if you do not want to share them.',
    files.filter((f) => (f.scan?.serials.length ?? 0) > 0).map((f) => f.rel));
  add('no-rights-metadata', 'info', 'These originals carried no rights metadata of their own (creator, copyright or usage terms). The copies in this pack are stamped, but any other copy you upload elsewhere is not: upload the stamped copies.',
    images.filter((f) => f.scan != null && f.scan.error == null && f.scan.rights.length === 0).map((f) => f.rel));

  // Previews the market looks at.
  const renders = files.filter((f) => f.processed && f.kind === 'render');
  const bigEnough = renders.filter((f) => {
    const w = f.preview?.width ?? f.width ?? 0;
    const h = f.preview?.height ?? f.height ?? 0;
    return w >= (rules.minRenderWidth ?? 0) && h >= (rules.minRenderHeight ?? 0);
  });
  if (rules.minRenders > 0 && bigEnough.length < rules.minRenders) {
    const size = [rules.minRenderWidth && `${rules.minRenderWidth} px wide`, rules.minRenderHeight && `${rules.minRenderHeight} px high`].filter(Boolean).join(' and ');
    add('preview-count', rules.previewsRequired ? 'fail' : 'warning', `${rules.label} ${rules.previewsRequired ? 'needs' : 'recommends'} at least ${rules.minRenders} preview render(s)${size ? ` at least ${size}` : ''}; this pack has ${bigEnough.length} (${renders.length} render(s) in all). Add renders, or raise preview.longEdge if the renders are large but the previews are not.`);
  }
  if (rules.minRenderWidth != null || rules.minRenderHeight != null) {
    add('preview-too-small', 'warning', `These renders' previews are below ${rules.label}'s minimum of ${rules.minRenderWidth ?? '?'}×${rules.minRenderHeight ?? 'any'} px, so they do not count.`,
      renders.filter((f) => !bigEnough.includes(f)).map((f) => f.rel));
  }
  if (rules.maxRenders != null && renders.length > rules.maxRenders) {
    add('preview-count-max', 'warning', `${rules.label} takes at most ${rules.maxRenders} previews; this pack has ${renders.length} renders. Choose the best ${rules.maxRenders} for the listing.`);
  }
  if (rules.forbidsWatermarks && input.watermarked) {
    add('watermark-forbidden', 'fail', `${rules.label} rejects previews with watermarks, borders or text, and these previews carry one.`);
  } else if (rules.forbidsWatermarks) {
    add('watermark-forbidden', 'info', `${rules.label} rejects watermarked previews, so the previews and contact sheets in public/ were made without a visible watermark (the rights metadata is still inside each file).`);
  }

  // Files the market will not take.
  if (rules.maxFileBytes != null) {
    add('file-too-large', 'fail', `These files are over ${rules.label}'s limit of ${human(rules.maxFileBytes)} per file. Split or compress them.`,
      files.filter((f) => f.bytes > rules.maxFileBytes!).map((f) => `${f.rel} (${human(f.bytes)})`));
  }
  if (input.market === 'gumroad') {
    add('gumroad-pwyw', 'info', `These files are over 25 MB, Gumroad's limit for pay-what-you-want products starting at $0.`,
      files.filter((f) => f.bytes > PWYW_LIMIT_BYTES).map((f) => f.rel));
  }

  // Textures and names.
  add('non-power-of-two', 'warning', 'These textures are not power-of-two sized (e.g. 1024, 2048); game engines and mipmapping prefer power-of-two maps.',
    files.filter((f) => f.processed && f.kind === 'texture' && f.width != null && f.height != null && !(isPow2(f.width) && isPow2(f.height)))
      .map((f) => `${f.rel} (${f.width}×${f.height})`));
  add('non-portable-name', 'warning', 'These names may break on other systems or marketplaces (non-ASCII, spaces, Windows-reserved characters). Rename them with plain letters, digits, - and _.',
    files.flatMap((f) => nameProblems(f.rel).map((p) => `${f.rel}: ${p}`)));
  add('case-clash', 'fail', 'These names differ only in letter case: on Windows and macOS one overwrites the other when the buyer unpacks. Rename one of each pair.',
    caseClashes(files.map((f) => f.rel)).map((g) => g.join(' ↔ ')));
  const reserved = new Set(input.reservedNames.map((n) => n.toLowerCase()));
  add('name-clash', 'warning', 'The pack has its own file with a name Colophon adds at the top of the zip; Colophon\'s copy was given a COLOPHON- prefix. Check the two licences agree.',
    files.filter((f) => reserved.has(f.rel.toLowerCase())).map((f) => f.rel));

  // .blend dependencies, through Blender itself.
  const blends = files.filter((f) => f.kind === 'blend');
  if (rules.wantsBlend && blends.length === 0) {
    add('no-blend', 'fail', `${rules.label} asks for a .blend that opens in the current Blender; this pack has none.`);
  }
  if (blends.length > 0 && input.blendDeps == null) {
    notChecked.push(`.blend dependencies: not checked: blender not found (install Blender or put it on PATH) — ${blends.length} .blend file(s)`);
  } else if (input.blendDeps != null) {
    const abs: string[] = [];
    const missing: string[] = [];
    const outside: string[] = [];
    const broken: string[] = [];
    for (const b of blends) {
      const deps = input.blendDeps.get(b.rel);
      if (deps == null) continue;
      if (!deps.opened) {
        broken.push(`${b.rel}: ${deps.error ?? 'Blender could not open it'}`);
        continue;
      }
      for (const p of deps.paths) {
        if (p.absolute) abs.push(`${b.rel} → ${p.raw}`);
        if (!p.exists) missing.push(`${b.rel} → ${p.raw}`);
        else if (!isInside(input.root, p.resolved)) outside.push(`${b.rel} → ${p.raw}`);
      }
    }
    add('blend-unopenable', 'fail', 'Blender could not open these .blend files; buyers will not be able to either. Re-save them from Blender.', broken);
    add('blend-absolute-paths', rules.wantsRelativeBlendPaths ? 'fail' : 'warning', 'These .blend files use absolute paths, which will not exist on a buyer\'s machine. In Blender: File ▸ External Data ▸ Make Paths Relative (or Pack Resources).', abs);
    add('blend-missing-deps', 'fail', 'These .blend files name files that do not exist. In Blender: File ▸ External Data ▸ Find Missing Files, or Pack Resources.', missing);
    add('blend-outside-pack', 'fail', 'These .blend files depend on files outside the pack; buyers will not get them. Copy them into the pack (e.g. a textures/ folder) or pack them into the .blend.', outside);
  }
  for (const note of rules.notes) add('market-note', 'info', note);
  return { findings, notChecked };
}

function isInside(root: string, p: string): boolean {
  const r = path.relative(root, p);
  return r !== '' && !r.startsWith('..') && !path.isAbsolute(r);
}
