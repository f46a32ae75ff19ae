import t from 'tap';
import { ColophonError } from '../../server/errors.ts';
import { toFailure } from '../../server/pipeline/failure.ts';

t.test("a temp name in a tool's message becomes the user's file", async (t) => {
  const err = new ColophonError('METADATA_WRITE_FAILED', 'exiftool could not write /out/private/ab12/.render.png.0123456789ab.tmp.png: bad chunk');
  t.same(toFailure('/renders/render.png', err), {
    input: '/renders/render.png',
    code: 'METADATA_WRITE_FAILED',
    message: 'exiftool could not write /renders/render.png: bad chunk',
  });
});

t.test("a message about one of our folders is prefixed with the user's file", async (t) => {
  const gone = Object.assign(new Error("ENOENT: no such file or directory, open '/out/private/ab12'"), { code: 'ENOENT', path: '/out/private/ab12' });
  const f = toFailure('/renders/render.png', gone);
  t.equal(f.code, 'FILE_NOT_FOUND');
  t.equal(f.message, '/renders/render.png: /out/private/ab12 does not exist. Check the path and try again.');
});

t.test('a message that already names the file, by path or by name, is left as it is', async (t) => {
  t.equal(toFailure('/in/a.jpg', new ColophonError('CORRUPT_FILE', '/in/a.jpg: the JPEG is damaged.')).message, '/in/a.jpg: the JPEG is damaged.');
  t.equal(toFailure('textures/a.jpg', new ColophonError('CORRUPT_FILE', 'a.jpg is a JPEG with no picture data.')).message, 'a.jpg is a JPEG with no picture data.');
});
