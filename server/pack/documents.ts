import type { Profile } from '../../protocol/src/profile.ts';
import { MARKET_RULES } from './markets.ts';
import type { MarketProfile } from './markets.ts';

export function readmeText(profile: Profile, packName: string, market: MarketProfile, counts: { files: number; failed: number }): string {
  return [
    packName,
    '='.repeat(Math.min(80, Math.max(3, packName.length))),
    '',
    `By ${profile.creator.name}. Licence: ${profile.licence.name} (see LICENSE.txt, which also covers AI/ML use).`,
    '',
    'What is in this archive',
    '  - every file of the pack under its original folder and name; images carry the creator,',
    '    licence and "no AI training" notice inside the file, other formats (EXR, .blend, models)',
    '    have it in a .xmp file of the same name beside them;',
    '  - LICENSE.txt   the licence and the reservation of AI/ML and data-mining rights;',
    '  - manifest.json every file with its SHA-256, kind and what was done to it;',
    '  - SHA256SUMS    check nothing was damaged in transit: run `sha256sum -c SHA256SUMS` in this folder.',
    '',
    `${counts.files} file(s) listed in the manifest${counts.failed > 0 ? `, ${counts.failed} of them with a problem noted there` : ''}.`,
    `Prepared for: ${MARKET_RULES[market].label}.`,
    '',
  ].join('\n');
}
