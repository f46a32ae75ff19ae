import type { Profile } from '../../protocol/src/profile.ts';
import { expandTemplate } from '../config.ts';
import { MARKET_RULES } from './markets.ts';
import type { MarketProfile } from './run.ts';

/** The reservation every LICENSE.txt carries, whatever the profile's own wording. */
export const AI_CLAUSE = [
  'RESERVATION OF RIGHTS: ARTIFICIAL INTELLIGENCE AND DATA MINING',
  '',
  'No part of this pack may be used, without a separate written licence from the rightsholder, for:',
  '  - training, testing or validating artificial intelligence or machine-learning (AI/ML) systems;',
  '  - text and data mining, or building, extending or selling datasets (dataset creation);',
  '  - fine-tuning or otherwise adapting existing models;',
  '  - computing or storing embeddings, features or other representations of the works;',
  '  - generating synthetic outputs or derivative outputs with, or from, any such system.',
  '',
  'The rightsholder expressly reserves these rights under Article 4(3) of Directive (EU) 2019/790',
  '(the DSM Directive) and equivalent laws elsewhere. This reservation is also embedded in machine-',
  'readable form in each file (XMP plus:DataMining and plus:OtherConstraints) or in its .xmp sidecar.',
].join('\n');

function wrap(text: string, width = 96): string {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(' ')) {
      if (line !== '' && line.length + 1 + word.length > width) {
        out.push(line);
        line = word;
      } else line = line === '' ? word : `${line} ${word}`;
    }
    out.push(line);
  }
  return out.join('\n');
}

export function licenceText(profile: Profile, packName: string, now: Date): string {
  const l = profile.licence;
  const parts = [
    `LICENCE FOR "${packName}"`,
    '',
    expandTemplate(profile.copyright, profile, now),
    `Creator: ${profile.creator.name}${profile.creator.email ? ` <${profile.creator.email}>` : ''}${profile.creator.url ? ` (${profile.creator.url})` : ''}`,
    '',
    `Licence: ${l.name}`,
  ];
  if (l.url) parts.push(`Full licence text: ${l.url}`);
  if (l.terms) parts.push('', wrap(l.terms));
  if (profile.webStatement) parts.push(`Terms of use: ${profile.webStatement}`);
  if (profile.dataMining === 'DMI-ALLOWED') {
    // The artist allows mining: the LICENSE must not contradict the DMI-ALLOWED stamped into every file.
    parts.push('', 'The creator allows text and data mining of these files. All other rights are reserved.', '');
  } else {
    parts.push('', AI_CLAUSE, '', 'In the creator\'s words:', wrap(profile.otherConstraints), '');
  }
  parts.push(`Machine-readable data-mining setting: ${profile.dataMining} (IPTC PLUS).`, '');
  return parts.join('\n');
}

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
