export const MARKET_PROFILES = ['generic', 'superhive', 'gumroad', 'artstation', 'pond5'] as const;
export type MarketProfile = (typeof MARKET_PROFILES)[number];

/**
 * What each marketplace asks of a pack, where it differs (reference/peers.md §2.13).
 * A null limit means the market publishes none we know of, so it is not checked.
 */
export interface MarketRules {
  label: string;
  /** Minimum number of presentation renders, and the width (px) each must reach to count. */
  minRenders: number;
  minRenderWidth: number | null;
  minRenderHeight: number | null;
  maxRenders: number | null;
  /** true when the market rejects a listing below the minimum; false when it only recommends it. */
  previewsRequired: boolean;
  /** Largest single file the market accepts, in bytes. */
  maxFileBytes: number | null;
  /** Visible watermarks, borders or text in previews make the listing fail review. */
  forbidsWatermarks: boolean;
  /** Asks for relative paths in .blend files (textures packed or in a folder beside it). */
  wantsRelativeBlendPaths: boolean;
  /** Asks for a .blend that opens in current Blender. */
  wantsBlend: boolean;
  /** Extra advice printed in the report. */
  notes: string[];
}

const GB = 1024 ** 3;
const MB = 1024 ** 2;

export const MARKET_RULES: Record<MarketProfile, MarketRules> = {
  generic: {
    label: 'Generic (no marketplace rules)',
    minRenders: 0,
    minRenderWidth: null,
    minRenderHeight: null,
    maxRenders: null,
    previewsRequired: false,
    maxFileBytes: null,
    forbidsWatermarks: false,
    wantsRelativeBlendPaths: true,
    wantsBlend: false,
    notes: [],
  },
  superhive: {
    label: 'Superhive (Blender Market)',
    minRenders: 5,
    minRenderWidth: 1200,
    minRenderHeight: null,
    maxRenders: null,
    previewsRequired: true,
    maxFileBytes: 5 * GB,
    forbidsWatermarks: false,
    wantsRelativeBlendPaths: true,
    wantsBlend: true,
    notes: [
      'Superhive asks for at least 5 renders (3 beauty shots and 2 wireframes), PNG or JPG, at least 1200 px wide.',
      'Include a help document (PDF, DOC or HTML) and name the main file like ProductName_Version.blend.',
      'HDRIs must be packed into the .blend and redistributable (e.g. CC0).',
    ],
  },
  gumroad: {
    label: 'Gumroad',
    minRenders: 1,
    minRenderWidth: 1280,
    minRenderHeight: 720,
    maxRenders: null,
    previewsRequired: false,
    maxFileBytes: 16 * GB,
    forbidsWatermarks: false,
    wantsRelativeBlendPaths: true,
    wantsBlend: false,
    notes: [
      'Gumroad recommends a 1280×720 (16:9) cover image and a separate thumbnail.',
      'Pay-what-you-want products starting at $0 are limited to 25 MB per file.',
    ],
  },
  artstation: {
    label: 'ArtStation / Fab',
    minRenders: 1,
    minRenderWidth: null,
    minRenderHeight: null,
    maxRenders: null,
    previewsRequired: false,
    maxFileBytes: null,
    forbidsWatermarks: false,
    wantsRelativeBlendPaths: true,
    wantsBlend: false,
    notes: [
      'On ArtStation/Fab the licence you pick in the listing wins over the product description: make sure it matches LICENSE.txt.',
      'Fab listings can carry the NoAI tag; set it when you upload.',
    ],
  },
  pond5: {
    label: 'Pond5',
    minRenders: 3,
    minRenderWidth: 400,
    minRenderHeight: 400,
    maxRenders: 15,
    previewsRequired: true,
    maxFileBytes: null,
    forbidsWatermarks: true,
    wantsRelativeBlendPaths: true,
    wantsBlend: false,
    notes: [
      'Pond5 wants 3 to 15 previews of at least 400×400 px, at least one of them a wireframe.',
      'Pond5 rejects previews with watermarks, borders or text, so this pack\'s previews and contact sheets carry no visible watermark (the rights metadata is still embedded).',
    ],
  },
};

export const PWYW_LIMIT_BYTES = 25 * MB;
