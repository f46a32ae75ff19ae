import { DATA_MINING_LABEL, html } from '../lib.js';

export function Protections({ p }) {
  const rights = p.rights === 'embedded' ? 'rights stamped' : p.rights === 'sidecar' ? 'rights in .xmp sidecar' : 'no rights stamp';
  const noAi = (p.dataMining ?? '').startsWith('DMI-PROHIBITED');
  return html`<ul class="chips" aria-label="Protections">
    <li class=${p.rights === 'none' ? 'chip bad' : 'chip ok'}>${rights}</li>
    <li class=${noAi ? 'chip ok' : 'chip warn'} title=${p.dataMining}>${DATA_MINING_LABEL[p.dataMining] ?? p.dataMining ?? 'no data-mining code'}</li>
    <li class=${p.credential ? 'chip ok' : 'chip muted'}>${p.credential ? 'Content Credential' : 'no credential'}</li>
  </ul>`;
}

export function Thumb({ card, size = 'm' }) {
  return card.hasPreview
    ? html`<img class=${`thumb ${size}`} src=${`/api/assets/${card.assetId}/thumb`} alt=${`Public preview of ${card.name}`} loading="lazy" />`
    : html`<div class=${`thumb ${size} none`} role="img" aria-label=${`${card.name} has no public preview`}><span>${card.kind ?? 'file'}</span><small>no public preview</small></div>`;
}
