// The one table of picture formats: what each can carry, as the classifier, the stamp and the signer read it.
import t from 'tap';
import { C2PA_MIME, FORMATS, LEGACY_EXIF_IPTC, PRESENTATION_SOURCES, SHARP_READABLE, XMP_EMBEDDABLE } from '../../server/pipeline/formats.ts';

t.test('the sets are read from the table', async (t) => {
  t.same([...SHARP_READABLE].sort(), ['avif', 'gif', 'heif', 'jpeg', 'png', 'tiff', 'webp']);
  t.same([...XMP_EMBEDDABLE].sort(), ['avif', 'gif', 'heif', 'jpeg', 'png', 'tiff', 'webp']);
  t.same([...LEGACY_EXIF_IPTC].sort(), ['jpeg', 'tiff'], 'EXIF/IPTC-IIM rights only where they are standard');
  t.equal(C2PA_MIME.jpeg, 'image/jpeg');
  t.equal(C2PA_MIME.heif, 'image/heif');
  t.equal(C2PA_MIME.exr, undefined, 'no embedded manifest for a format the signer cannot write into');
  for (const [name, facts] of Object.entries(FORMATS)) {
    t.equal(C2PA_MIME[name] ?? null, facts.c2paMime, `${name}: mime from the table`);
  }
});

t.test('renders, animation frames and exports are presentation sources', async (t) => {
  t.same([...PRESENTATION_SOURCES].sort(), ['animation', 'export', 'f12']);
  t.notOk(PRESENTATION_SOURCES.has('pack'));
});
