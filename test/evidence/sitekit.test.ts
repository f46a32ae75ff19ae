import fs from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { sha256File } from '../../server/util/hash.ts';
import { makeEnv } from '../helpers/pipeline-env.ts';
import { cli } from './helpers.ts';
import { run } from '../helpers/pipeline-env.ts';

async function python(code: string, args: string[]): Promise<string> {
  return (await run('python3', ['-c', code, ...args])).stdout;
}

interface Group {
  agents: string[];
  rules: Array<[string, string]>;
}

/** robots.txt groups as RFC 9309 reads them: consecutive user-agent lines, then their rules. */
function parseRobots(text: string): Group[] {
  const groups: Group[] = [];
  let current: Group | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const i = line.indexOf(':');
    const key = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    if (key === 'user-agent') {
      if (current == null || current.rules.length > 0) groups.push((current = { agents: [], rules: [] }));
      current.agents.push(value.toLowerCase());
    } else if (current != null) {
      current.rules.push([key, value]);
    }
  }
  return groups;
}

/** The group a crawler obeys: the one naming its product token, else the '*' group. */
function groupFor(groups: Group[], token: string): Group | undefined {
  return groups.find((g) => g.agents.includes(token.toLowerCase())) ?? groups.find((g) => g.agents.includes('*'));
}

t.test('sitekit writes every file, they parse back, and the generation is recorded with their hashes', async (t) => {
  const env = await makeEnv(t);
  await fs.writeFile(
    path.join(env.home, 'config.json'),
    JSON.stringify({ creator: { name: 'Jane Artist', email: 'jane@example.org' }, webStatement: 'https://jane.example.org/terms', termsVersion: '2026-11' }),
  );
  const out = path.join(env.home, 'kit');
  const r = await cli(env.home, ['sitekit', '--out', out, '--json']);
  t.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  const names = result.files.map((f: { path: string }) => f.path).sort();
  t.same(names, [
    '.well-known/tdmrep.json', 'TERMS.md', 'ai.txt', 'headers/Caddyfile', 'headers/apache.htaccess', 'headers/netlify_headers',
    'headers/nginx.conf', 'license.xml', 'meta.html', 'robots.txt',
  ]);

  // robots.txt: AI crawlers refused, search engines allowed, content signals on the '*' group, dated
  const robots = await fs.readFile(path.join(out, 'robots.txt'), 'utf8');
  t.match(robots, /^# robots\.txt written by Colophon for Jane Artist on \d{4}-\d{2}-\d{2}/);
  t.match(robots, /AI crawler list: .* dated 2026-08-22/);
  const groups = parseRobots(robots);
  for (const bot of ['GPTBot', 'ClaudeBot', 'CCBot', 'Google-Extended', 'Applebot-Extended', 'meta-externalagent', 'Bytespider', 'img2dataset']) {
    t.same(groupFor(groups, bot)?.rules, [['disallow', '/']], `${bot} is refused`);
  }
  for (const bot of ['Googlebot', 'Bingbot', 'Applebot', 'DuckDuckBot', 'Bravebot', 'facebookexternalhit', 'Twitterbot', 'LinkedInBot', 'Slackbot', 'Discordbot', 'PerplexityBot', 'OAI-SearchBot']) {
    const g = groupFor(groups, bot);
    t.same(g?.agents, ['*'], `${bot} falls in the * group`);
    t.ok(g?.rules.some(([k, v]) => k === 'allow' && v === '/'), `${bot} may crawl`);
  }
  const star = groups.find((g) => g.agents.includes('*'))!;
  t.ok(star.rules.some(([k, v]) => k === 'content-signal' && v === 'search=yes, ai-input=yes, ai-train=no'));
  t.ok(star.rules.some(([k, v]) => k === 'content-usage' && v === '/ train-ai=n'), 'aipref rule with its path');
  t.match(robots, /^# .*express\n?# reservation of rights under Article 4 of Directive \(EU\) 2019\/790/m, 'Content-Signal preamble');
  t.match(robots, /^License: https:\/\/jane\.example\.org\/license\.xml$/m, 'RSL licence announced, absolute, from the web statement\'s site');
  for (const g of groups) for (const a of g.agents) t.match(a, /^(\*|[a-z0-9_-]+)$/, `user-agent "${a}" is a valid product token`);
  const blocked = groups.filter((g) => !g.agents.includes('*')).flatMap((g) => g.agents);
  t.ok(blocked.length >= 130, `${blocked.length} AI crawler tokens blocked (valid forms, case-insensitively unique, search and link-preview fetchers kept)`);
  t.equal(new Set(blocked).size, blocked.length, 'no token listed twice');

  // tdmrep.json: a JSON array of rules with location and tdm-reservation 1, policy from the profile
  const tdm = JSON.parse(await fs.readFile(path.join(out, '.well-known/tdmrep.json'), 'utf8'));
  t.ok(Array.isArray(tdm));
  t.same(tdm, [{ location: '/', 'tdm-reservation': 1, 'tdm-policy': 'https://jane.example.org/terms' }]);

  const ai = (await fs.readFile(path.join(out, 'ai.txt'), 'utf8')).split('\n');
  t.equal(ai[0], '# Spawning AI');
  t.ok(ai.includes('User-agent: *'));
  for (const glob of ['*.jpg', '*.png', '*.exr', '*.blend', '*.zip']) t.ok(ai.includes(`Disallow: ${glob}`), `ai.txt refuses ${glob}`);

  for (const f of ['headers/nginx.conf', 'headers/apache.htaccess', 'headers/Caddyfile', 'headers/netlify_headers']) {
    const text = await fs.readFile(path.join(out, f), 'utf8');
    t.match(text, /X-Robots-Tag:? "?noai, noimageai"?/, `${f} sends X-Robots-Tag: noai, noimageai`);
    t.match(text, /tdm-reservation:? "?1"?/, `${f} sends tdm-reservation: 1`);
    t.match(text, /tdm-policy:? "?https:\/\/jane\.example\.org\/terms"?/);
  }
  t.match(await fs.readFile(path.join(out, 'headers/nginx.conf'), 'utf8'), /^add_header X-Robots-Tag "noai, noimageai" always;$/m);
  const netlify = await fs.readFile(path.join(out, 'headers/netlify_headers'), 'utf8');
  t.match(netlify, /^ {2}Content-Usage: train-ai=n$/m, 'header form without a path');
  t.match(netlify, /^ {2}Link: <https:\/\/jane\.example\.org\/license\.xml>; rel="license"; type="application\/rsl\+xml"$/m);
  t.match(await fs.readFile(path.join(out, 'headers/nginx.conf'), 'utf8'), /^add_header Link "<https:\/\/jane\.example\.org\/license\.xml>; rel=\\"license\\"; type=\\"application\/rsl\+xml\\"" always;$/m);
  t.match(await fs.readFile(path.join(out, 'headers/netlify_headers'), 'utf8'), /^\/\*\n {2}X-Robots-Tag: noai, noimageai$/m);

  const meta = await fs.readFile(path.join(out, 'meta.html'), 'utf8');
  const metas = [...meta.matchAll(/<meta name="([^"]+)" content="([^"]+)">/g)].map((m) => [m[1], m[2]]);
  t.same(metas, [['robots', 'noai, noimageai'], ['tdm-reservation', '1'], ['tdm-policy', 'https://jane.example.org/terms']]);
  t.match(meta, /<link rel="license" type="application\/rsl\+xml" href="https:\/\/jane\.example\.org\/license\.xml">/);

  // license.xml parses as XML (Python's ElementTree) in the RSL namespace and prohibits ai-train
  const rsl = await python(`
import sys, xml.etree.ElementTree as ET
ns = {'r': 'https://rslstandard.org/rsl'}
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == '{https://rslstandard.org/rsl}rsl', root.tag
lic = root.find('r:content/r:license', ns)
print(root.find('r:content', ns).get('url'), '|', lic.find('r:permits', ns).text, '|', lic.find('r:prohibits', ns).text)
`, [path.join(out, 'license.xml')]);
  t.equal(rsl.trim(), '/ | search ai-index | ai-train');

  const terms = await fs.readFile(path.join(out, 'TERMS.md'), 'utf8');
  t.match(terms, /^Terms version: 2026-11$/m);
  for (const clause of [/## 1\. Scraping/, /## 2\. Training/, /## 3\. Fine-tuning/, /embeddings/, /## 5\. Synthetic outputs/, /Article 4\(3\) of Directive \(EU\) 2019\/790/]) t.match(terms, clause);

  // the ledger records this generation with each file's hash, matching what is on disk
  const entries = await env.ledger!.readAll();
  t.equal(entries.length, 1);
  const notice = entries[0]!;
  t.equal(notice.type, 'notice.changed');
  t.equal(notice.seq, result.ledgerSeq);
  t.match(notice.data, { kind: 'sitekit', termsVersion: '2026-11', noticeVersion: '1' });
  for (const f of notice.data.files as Array<{ path: string; sha256: string; bytes: number }>) {
    const disk = await sha256File(path.join(out, f.path));
    t.equal(f.sha256, disk.sha256, `${f.path} hash recorded`);
    t.equal(f.bytes, disk.bytes);
  }

  // a new terms version is a new, separately recorded notice
  await fs.writeFile(path.join(env.home, 'config.json'), JSON.stringify({ creator: { name: 'Jane Artist' }, termsVersion: '2027-01' }));
  const again = await cli(env.home, ['sitekit', '--out', out]);
  t.equal(again.code, 0, again.stderr);
  t.match(again.stdout, /terms version 2027-01/);
  const after = await env.ledger!.readAll();
  t.equal(after.length, 2);
  t.equal(after[1]!.data.termsVersion, '2027-01');
  t.same(JSON.parse(await fs.readFile(path.join(out, '.well-known/tdmrep.json'), 'utf8')), [{ location: '/', 'tdm-reservation': 1 }], 'no policy URL without a web statement');
  t.equal((await env.ledger!.verify()).ok, true);

  // swapping in another robots.txt hash (to pretend a different notice was live) breaks the chain there
  const ledgerFile = path.join(env.home, 'ledger.jsonl');
  const text = await fs.readFile(ledgerFile, 'utf8');
  const robotsHash = (notice.data.files as Array<{ path: string; sha256: string }>).find((f) => f.path === 'robots.txt')!.sha256;
  await fs.writeFile(ledgerFile, text.replace(robotsHash, 'f'.repeat(64)));
  const v = await env.ledger!.verify();
  t.equal(v.ok, false);
  t.equal(v.firstBadSeq, 0);
});

t.test('robots.txt as Python\'s urllib.robotparser reads it: trainers refused, search and link previews allowed', async (t) => {
  const env = await makeEnv(t);
  await fs.writeFile(path.join(env.home, 'config.json'), JSON.stringify({ creator: { name: 'Jane Artist', url: 'https://jane.example.org/about' } }));
  const out = path.join(env.home, 'kit');
  for (const [dir, extra] of [['default', []], ['strict', ['--refuse-ai-search']]] as const) {
    const r = await cli(env.home, ['sitekit', '--out', path.join(out, dir), ...extra]);
    t.equal(r.code, 0, r.stderr);
  }
  const agents = ['GPTBot/1.2', 'ClaudeBot', 'CCBot/2.0', 'Google-Extended', 'Applebot-Extended', 'Bytespider', 'Brightbot', 'iaskspider/2.0',
    'Googlebot/2.1', 'Bingbot', 'DuckDuckBot', 'Applebot', 'Bravebot', 'facebookexternalhit/1.1', 'Twitterbot/1.0', 'LinkedInBot/1.0',
    'Slackbot', 'Discordbot/2.0', 'OAI-SearchBot/1.0', 'PerplexityBot'];
  const read = async (dir: string) => JSON.parse(await python(`
import json, sys, urllib.robotparser
rp = urllib.robotparser.RobotFileParser()
rp.parse(open(sys.argv[1], encoding='utf-8').read().splitlines())
print(json.dumps({a: rp.can_fetch(a, 'https://jane.example.org/gallery/shot.jpg') for a in sys.argv[2:]}))
`, [path.join(out, dir, 'robots.txt'), ...agents])) as Record<string, boolean>;
  const def = await read('default');
  for (const a of ['GPTBot/1.2', 'ClaudeBot', 'CCBot/2.0', 'Google-Extended', 'Applebot-Extended', 'Bytespider', 'Brightbot', 'iaskspider/2.0']) t.equal(def[a], false, `${a} refused`);
  for (const a of ['Googlebot/2.1', 'Bingbot', 'DuckDuckBot', 'Applebot', 'Bravebot', 'facebookexternalhit/1.1', 'Twitterbot/1.0', 'LinkedInBot/1.0', 'Slackbot', 'Discordbot/2.0']) t.equal(def[a], true, `${a} allowed`);
  t.equal(def['OAI-SearchBot/1.0'], true, 'AI search fetchers are allowed by default');
  const strict = await read('strict');
  t.equal(strict['OAI-SearchBot/1.0'], false, '--refuse-ai-search refuses them');
  t.equal(strict['PerplexityBot'], false);
  t.equal(strict['Googlebot/2.1'], true, 'and still lets search engines in');
  const strictRobots = await fs.readFile(path.join(out, 'strict', 'robots.txt'), 'utf8');
  t.match(strictRobots, /^Content-Usage: \/ train-ai=n, ai-use=n$/m, 'ai-use=n offered');
  t.match(strictRobots, /^License: https:\/\/jane\.example\.org\/license\.xml$/m, 'site taken from creator.url');
  t.match(await fs.readFile(path.join(out, 'strict', 'license.xml'), 'utf8'), /<prohibits type="usage">ai-train ai-input<\/prohibits>/);
  const bad = await cli(env.home, ['sitekit', '--out', out, '--site', 'not a url']);
  t.equal(bad.code, 2);
});

t.test('sitekit defaults to <output root>/sitekit', async (t) => {
  const env = await makeEnv(t);
  const r = await cli(env.home, ['sitekit']);
  t.equal(r.code, 0, 'exits 0');
  await fs.access(path.join(env.home, 'output', 'sitekit', 'robots.txt'));
  t.match(r.stderr, /creator is not set/, 'the unset-creator warning is passed on');
});
