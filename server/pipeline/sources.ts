import type { Source } from '../../protocol/src/results.ts';

/** Sources whose pictures are finished presentation images (renders, exports): they get the full public preview. */
export const PRESENTATION_SOURCES: ReadonlySet<Source> = new Set<Source>(['f12', 'animation', 'export']);
