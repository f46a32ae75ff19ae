import { html } from '../lib.js';

/** Assets first recorded per week, as an SVG bar chart with a text alternative. */
export function WeekChart({ weeks }) {
  const max = Math.max(1, ...weeks.map((w) => w.count));
  const bw = 24;
  const gap = 8;
  const hgt = 110;
  const top = 16;
  const width = weeks.length * (bw + gap);
  const summary = weeks.map((w) => `${w.week}: ${w.count}`).join(', ');
  return html`<figure class="chart">
    <svg viewBox=${`0 ${-top} ${width} ${hgt + 34 + top}`} role="img" aria-label=${`Assets recorded per week. ${summary}`}>
      ${weeks.map((w, i) => {
        const bh = Math.round((w.count / max) * hgt);
        const x = i * (bw + gap);
        return html`<g>
          <rect x=${x} y=${hgt - bh} width=${bw} height=${Math.max(bh, 1)} class=${w.count > 0 ? 'bar' : 'bar empty'}><title>${`${w.week}: ${w.count}`}</title></rect>
          ${w.count > 0 ? html`<text x=${x + bw / 2} y=${hgt - bh - 4} class="v">${w.count}</text>` : null}
          ${i % 2 === 1 || i === weeks.length - 1 ? html`<text x=${x + bw / 2} y=${hgt + 16} class="l">${w.week.slice(5)}</text>` : null}
        </g>`;
      })}
    </svg>
    <figcaption>Assets recorded per week (last 12 weeks, week starting)</figcaption>
  </figure>`;
}

/** One labelled meter per protection: how many assets carry it. */
export function Coverage({ coverage }) {
  const rows = [
    ['Rights stamp (XMP/IPTC)', coverage.rights],
    ['"No AI training" code', coverage.dataMining],
    ['Public preview (renders)', coverage.preview, coverage.previewable],
    ['Content Credential', coverage.credential],
    ['Published somewhere', coverage.published],
  ];
  return html`<dl class="coverage">
    ${rows.map(([label, n, of = coverage.total]) => {
      const pct = Math.round((n / Math.max(of, 1)) * 100);
      return html`<div class="cov">
        <dt>${label}</dt>
        <dd>
          <span class="meter" role="meter" aria-valuemin="0" aria-valuemax=${of} aria-valuenow=${n} aria-label=${label}>
            <span class=${pct === 100 ? 'fill full' : 'fill'} style=${`width:${pct}%`}></span>
          </span>
          <span class="num">${n} / ${of}</span>
        </dd>
      </div>`;
    })}
  </dl>`;
}
