import type { PackReport } from '../../protocol/src/records.ts';

/** report.json's content: its schema is PackReportSchema in protocol/src/records.ts. */
export type { PackReport };

const ICON = { fail: '✗ FAIL', warning: '! warning', info: 'i note' } as const;

/** The human-readable report.md: verdict first, then what to fix, then the details. */
export function reportMarkdown(r: PackReport): string {
  const s = r.summary;
  const lines = [
    `# Pre-flight report: ${r.pack}`,
    '',
    `Market profile: **${r.marketLabel}** · ${r.created}`,
    '',
    r.ok ? '**Ready to upload**: no file failed and no check failed.' : `**Not ready**: ${s.failed} file(s) failed and ${s.checksFailed} check(s) failed. Fix the items marked FAIL and run \`colophon pack\` again.`,
    '',
    `| files | processed | reused from last run | failed | skipped | previews | contact sheets |`,
    `|---|---|---|---|---|---|---|`,
    `| ${s.files} | ${s.processed} | ${s.reused} | ${s.failed} | ${s.skipped} | ${s.previews} | ${s.contactSheets} |`,
    '',
  ];
  const order = { fail: 0, warning: 1, info: 2 } as const;
  const findings = [...r.findings].sort((a, b) => order[a.severity] - order[b.severity]);
  if (findings.length > 0) lines.push('## Checks', '');
  for (const f of findings) {
    lines.push(`- **${ICON[f.severity]}** (${f.id}): ${f.message}`);
    for (const file of f.files ?? []) lines.push(`  - \`${file}\``);
  }
  if (r.notChecked.length > 0) {
    lines.push('', '## Not checked', '');
    for (const n of r.notChecked) lines.push(`- ${n}`);
  }
  if (r.failures.length > 0) {
    lines.push('', '## Files that failed', '');
    for (const f of r.failures) lines.push(`- \`${f.file}\` (${f.code}): ${f.message}`);
  }
  if (r.skipped.length > 0) {
    lines.push('', '## Files left out', '');
    for (const f of r.skipped) lines.push(`- \`${f.file}\`: ${f.reason}`);
  }
  if (r.archive != null) {
    lines.push('', '## Delivery archive', '', `\`${r.archive.path}\` (${r.archive.bytes} bytes), SHA-256 \`${r.archive.sha256}\``);
  }
  if (r.public.length > 0) {
    lines.push('', '## Public previews', '');
    for (const p of r.public) lines.push(`- \`${p}\``);
  }
  return lines.join('\n') + '\n';
}
