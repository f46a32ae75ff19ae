import type { Profile } from '../../protocol/src/profile.ts';
import { expandTemplate } from '../config.ts';

/**
 * The site's terms of use for the artist's work, versioned by the profile's termsVersion. Written as plain,
 * explicit clauses: each AI use is named, because a general "all rights reserved" leaves room to argue.
 */
export function termsMarkdown(profile: Profile, date: string): string {
  const c = profile.creator;
  const contact = [c.email, c.url].filter((x) => x != null).join(', ');
  const copyright = expandTemplate(profile.copyright, profile);
  return `# Terms of use for the work on this site

Terms version: ${profile.termsVersion}
Notice version: ${profile.noticeVersion}
Effective: ${date}
Rightsholder: ${c.name}${contact !== '' ? ` (${contact})` : ''}
Licence: ${profile.licence.name}${profile.licence.url != null ? ` — ${profile.licence.url}` : ''}

${copyright}

These terms cover every image, render, texture, model, scene file, video and text published on this site or
delivered by the rightsholder ("the work"). Viewing the work and linking to it are welcome.

## 1. Scraping and collection
You may not crawl, scrape, download in bulk or otherwise collect the work by automated means, except to index it
for a search engine that sends people to this site.

## 2. Training
You may not use the work, in whole or in part, to train, pre-train or evaluate any artificial-intelligence or
machine-learning model, generative or not.

## 3. Fine-tuning and adaptation
You may not use the work to fine-tune, adapt or condition a model, including LoRA, DreamBooth, textual inversion,
style adapters or any similar technique, and you may not use it as a reference input to imitate its style.

## 4. Datasets and embeddings
You may not include the work, its captions or its metadata in any dataset, and you may not compute, store or
share embeddings, feature vectors or other representations derived from it.

## 5. Synthetic outputs
You may not use the work to produce synthetic or derivative outputs with an AI system, including image-to-image,
inpainting, upscaling for redistribution, or prompts that name the rightsholder to imitate the work.

## 6. Reservation of rights
Text-and-data-mining rights in the work are expressly reserved under Article 4(3) of Directive (EU) 2019/790.
This reservation is also expressed by machine-readable means: robots.txt, /.well-known/tdmrep.json, ai.txt,
the tdm-reservation and X-Robots-Tag headers, and the PLUS DataMining value ${profile.dataMining} embedded in
each file.

## 7. Licences
Any use above needs a written licence from the rightsholder. Existing licences are not changed by these terms.

## 8. Changes
These terms are versioned. The version in force when the work was published is recorded, with this file's hash,
in the rightsholder's evidence ledger.
`;
}
