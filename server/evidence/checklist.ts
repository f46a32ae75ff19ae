/**
 * What each platform artists use offers against AI training, as we found it. Platforms change these
 * often, so every row carries the date it was checked and where the facts came from; `optout checklist`
 * prints both so nobody mistakes an old row for current advice.
 */
export const CHECKLIST_CHECKED = '2026-11-23';

/** An opt-out request with no reply after this many days is overdue. */
export const DEFAULT_OVERDUE_DAYS = 30;

export type OptoutMethod = 'form' | 'email' | 'setting' | 'robots';

export interface ChecklistItem {
  platform: string;
  /** What the platform offers, in one or two plain sentences. */
  offers: string;
  /** The methods that exist (empty = no opt-out offered). */
  methods: OptoutMethod[];
  /** Where to do it, when there is a place. */
  where?: string;
  /** Plain statement of what it does not cover. */
  limits: string;
  /** 'research' = our reviewed reference notes; 'secondary' = how-to and news pages only. */
  confidence: 'research' | 'secondary';
  source: string;
}

export const CHECKLIST: readonly ChecklistItem[] = [
  {
    platform: 'ArtStation',
    offers: 'A "NoAI" tag per project or for the whole account (since Dec 2022); it adds a NoAI HTML meta tag and the terms forbid using NoAI content for AI.',
    methods: ['setting'],
    where: 'Project or account settings: NoAI tag',
    limits: 'Opt-in, not the default: every project without the tag is unprotected. A meta tag only binds crawlers that choose to read it.',
    confidence: 'research',
    source: 'reference/peers.md §2.5',
  },
  {
    platform: 'DeviantArt',
    offers: 'Since Nov 2022 every deviation is opted out of AI datasets by default: pages carry "noimageai" and image downloads send a "noai" header; its terms require third parties to respect them.',
    methods: ['setting'],
    where: 'Account settings (check the AI dataset opt-out is still on)',
    limits: 'noai/noimageai are not a standard and search engines ignore them; img2dataset honours them, most others are unknown.',
    confidence: 'research',
    source: 'reference/signals.md §6.2 (DeviantArt team journal, Nov 2022)',
  },
  {
    platform: 'Sketchfab / Fab (incl. former ArtStation Marketplace)',
    offers: 'NoAI and CreatedWithAI tags (Sketchfab terms of 23 Mar 2023; Fab Distribution Agreement §18.k, 4 Jun 2025).',
    methods: ['setting'],
    where: 'Tag each model or listing NoAI',
    limits: 'A Creative Commons licence on a model may allow AI use whatever the NoAI tag says: check the licence too.',
    confidence: 'research',
    source: 'reference/peers.md §2.5',
  },
  {
    platform: 'Spawning Do Not Train Registry (haveibeentrained.com)',
    offers: 'Register media URLs as not-for-training; Spawning says Stability AI, Hugging Face and users of its datadiligence library respect it.',
    methods: ['form'],
    where: 'haveibeentrained.com / spawning.ai',
    limits: 'Voluntary for trainers. A 2025 catalogue reported the public site "under maintenance": check that submissions are accepted.',
    confidence: 'research',
    source: 'reference/peers.md §2.5',
  },
  {
    platform: 'Adobe (Content Authenticity app, Content Credentials)',
    offers: 'A "Generative AI Training and Usage Preference" carried in Content Credentials attached by the free Content Authenticity web app (JPEG/PNG).',
    methods: ['setting'],
    where: 'Adobe Content Authenticity web app, per batch of files',
    limits: 'A preference signal only, honoured by AI models that choose to read it; platforms often strip the credentials on upload.',
    confidence: 'research',
    source: 'reference/peers.md §2.1',
  },
  {
    platform: 'Meta (Facebook, Instagram, Threads)',
    offers: 'In the EU/EEA and UK, an objection form in the Privacy Centre ("object" to use of your information for AI at Meta); Meta confirms by email, one form per account.',
    methods: ['form'],
    where: 'facebook.com/privacy/center → Generative AI at Meta → object',
    limits: 'No opt-out found for users outside the EU/EEA and UK: public posts there are used. Not retroactive; users reported refusals and broken links.',
    confidence: 'secondary',
    source: 'news and how-to pages, 2024–2025 (not in our reference notes)',
  },
  {
    platform: 'X (Twitter)',
    offers: 'A setting "Allow your posts as well as your interactions, inputs, and results with Grok to be used for training and fine-tuning", on by default since mid-2024.',
    methods: ['setting'],
    where: 'Settings and privacy → Privacy and safety → Data sharing and personalization → Grok',
    limits: 'Covers X/xAI training only; X\'s terms also allow sharing content with third parties. Not retroactive.',
    confidence: 'secondary',
    source: '9to5mac 2024-07-26 and how-to pages (not in our reference notes)',
  },
  {
    platform: 'LinkedIn',
    offers: 'A setting "Data for Generative AI Improvement" ("Use my data for training content creation AI models"), on by default.',
    methods: ['setting', 'form'],
    where: 'Settings & Privacy → Data privacy → Data for Generative AI Improvement (plus an objection form for other models)',
    limits: 'Covers only content-generating models of LinkedIn and its affiliates; other models (personalisation, safety) are not covered. Not retroactive.',
    confidence: 'secondary',
    source: 'LinkedIn help answer a6278444 as quoted on how-to pages (not in our reference notes)',
  },
  {
    platform: 'Google (Gemini / Vertex AI training and grounding)',
    offers: 'Disallow the "Google-Extended" token in robots.txt; Google Search crawling and ranking are not affected.',
    methods: ['robots'],
    where: 'your own site: robots.txt (colophon sitekit)',
    limits: 'Only for sites you control; images you post on other platforms follow those platforms\' robots.txt.',
    confidence: 'research',
    source: 'reference/signals.md §5.1',
  },
  {
    platform: 'Apple (Apple Intelligence)',
    offers: 'Disallow "Applebot-Extended" in robots.txt while keeping Applebot (Siri, Spotlight, Safari search).',
    methods: ['robots'],
    where: 'your own site: robots.txt (colophon sitekit)',
    limits: 'Only for sites you control. Apple\'s own page was read only through secondary quotes.',
    confidence: 'research',
    source: 'reference/signals.md §5.1',
  },
  {
    platform: 'OpenAI, Anthropic, Common Crawl and other AI crawlers',
    offers: 'robots.txt tokens such as GPTBot, ClaudeBot, CCBot, meta-externalagent; colophon sitekit writes the current list.',
    methods: ['robots'],
    where: 'your own site: robots.txt (colophon sitekit)',
    limits: 'Some crawlers are listed as not respecting robots.txt at all (e.g. Bytespider): for them there is no working opt-out.',
    confidence: 'research',
    source: 'reference/signals.md §5.2 (ai-robots-txt list, 22 Aug 2026)',
  },
  {
    platform: 'Microsoft Bing',
    offers: 'No training token. Bing treats "noarchive" (meta or X-Robots-Tag) as "do not use for training" its generative models.',
    methods: ['robots'],
    where: 'your own site: meta tag or X-Robots-Tag header',
    limits: 'No dedicated opt-out; noarchive also removes cached copies from Bing.',
    confidence: 'research',
    source: 'reference/signals.md §5.1',
  },
  {
    platform: 'Bluesky',
    offers: 'No AI-training opt-out found. It strips all metadata from uploaded images, so in-file notices do not survive.',
    methods: [],
    limits: 'No opt-out offered: rely on your own site\'s signals and this ledger.',
    confidence: 'research',
    source: 'reference/peers.md §2.1 (bluesky-social/social-app#7415)',
  },
];

