import type { Profile } from '../protocol/src/profile.ts';
import { expandTemplate } from './config.ts';

/** The reservation every delivered LICENSE.txt carries unless the profile allows data mining. */
const RESERVATION = [
  'RESERVATION OF RIGHTS: ARTIFICIAL INTELLIGENCE AND DATA MINING',
  '',
  'Without a separate written licence from the rightsholder, no part of these files may be used for:',
  '  - training, evaluating or otherwise developing any AI or machine-learning (AI/ML) model;',
  '  - fine-tuning: using them to fine-tune or otherwise adapt an existing model;',
  '  - text and data mining (TDM) of any kind;',
  '  - building, extending or selling datasets (dataset creation);',
  '  - computing or storing embeddings, features or other representations of the works;',
  '  - generating synthetic outputs or derivative outputs with, or from, any such system.',
  '',
  'The rightsholder expressly reserves these rights under Article 4(3) of Directive (EU) 2019/790',
  '(the DSM Directive) and equivalent laws elsewhere. The reservation is also embedded in machine-',
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

/**
 * LICENSE.txt for anything delivered privately (a .blend archive, an asset pack): who made it, under which
 * licence, and an explicit AI/TDM reservation unless the profile's DataMining code allows mining.
 * Without a subject it is the text that goes inside the file it covers.
 */
export function licenceText(profile: Profile, subject?: string, now = new Date()): string {
  const { creator: c, licence: l } = profile;
  const who = [c.name, c.email != null ? `<${c.email}>` : null, c.url != null ? `(${c.url})` : null].filter((s) => s != null).join(' ');
  const heading = subject != null ? `LICENCE FOR "${subject}"` : 'LICENCE FOR THIS FILE AND THE FILES DELIVERED WITH IT';
  const parts = [heading, '', expandTemplate(profile.copyright, profile, now), `Creator: ${who}`, '', `Licence: ${l.name}`];
  if (l.url != null) parts.push(`Full licence text: ${l.url}`);
  if (l.terms != null) parts.push('', wrap(l.terms));
  if (profile.webStatement != null) parts.push(`Terms of use: ${profile.webStatement}`);
  if (profile.dataMining === 'DMI-ALLOWED') {
    parts.push('', 'The creator allows text and data mining of these files. All other rights are reserved.');
  } else {
    parts.push('', RESERVATION, '', "In the creator's words:", wrap(profile.otherConstraints.trim()));
  }
  parts.push('', `Machine-readable data-mining setting: ${profile.dataMining} (IPTC PLUS).`);
  parts.push(`Notice version ${profile.noticeVersion}, terms version ${profile.termsVersion}.`, '');
  return parts.join('\n');
}

/** One line for Blender's stamp "Note" (written into each render's own PNG/EXR metadata, never onto the pixels). */
export function stampNote(profile: Profile, now = new Date()): string {
  const copyright = expandTemplate(profile.copyright, profile, now);
  if (profile.dataMining === 'DMI-ALLOWED') return `${copyright} Licence: ${profile.licence.name}.`;
  return `${copyright} No AI/ML training, text and data mining or dataset use (IPTC PLUS DataMining: ${profile.dataMining}; `
    + 'rights reserved under EU DSM Art. 4(3)).';
}
