import type { Profile } from '../../protocol/src/profile.ts';
import { expandTemplate } from '../config.ts';

/**
 * LICENSE.txt for a private .blend archive: who made it, under which licence, and an explicit
 * reservation of AI/ML and text-and-data-mining uses (unless the profile allows data mining).
 */
export function licenceText(profile: Profile, blendName: string, now = new Date()): string {
  const c = profile.creator;
  const who = [c.name, c.email != null ? `<${c.email}>` : null, c.url ?? null].filter((s) => s != null).join(' ');
  const lines = [
    `${blendName} and the files in this archive`,
    '',
    expandTemplate(profile.copyright, profile, now),
    `Creator: ${who}`,
    `Licence: ${profile.licence.name}${profile.licence.url != null ? ` (${profile.licence.url})` : ''}`,
  ];
  if (profile.licence.terms != null) lines.push('', profile.licence.terms);
  if (profile.webStatement != null) lines.push(`Terms: ${profile.webStatement}`);
  lines.push('', `Data mining (IPTC PLUS): ${profile.dataMining}`, '');
  if (profile.dataMining === 'DMI-ALLOWED') {
    lines.push('The creator allows text and data mining of these files. All other rights are reserved.');
  } else {
    lines.push(
      'RESERVATION OF RIGHTS',
      'Without a separate written licence from the creator, none of the files in this archive may be used:',
      '  - to train, fine-tune, evaluate or otherwise develop any AI or machine-learning model;',
      '  - for text and data mining (TDM) of any kind;',
      '  - to build, extend or distribute a dataset;',
      '  - to compute embeddings, or for any similar vector or feature representation;',
      '  - to generate synthetic or derivative outputs with AI systems, including "in the style of" outputs.',
      'The rightsholder expressly reserves these uses under Article 4(3) of Directive (EU) 2019/790',
      '(Copyright in the Digital Single Market), in this machine-readable archive and in the files\' metadata.',
    );
    if (profile.otherConstraints.trim() !== '') lines.push('', profile.otherConstraints.trim());
  }
  lines.push('', `Notice version ${profile.noticeVersion}, terms version ${profile.termsVersion}.`, '');
  return lines.join('\n');
}
