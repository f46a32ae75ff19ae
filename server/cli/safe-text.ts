/**
 * Makes text safe for a terminal: control characters (C0, DEL, C1, which include ESC and the CSI/OSC introducers
 * that can rewrite the screen, set the title or fake a prompt) and Unicode bidi overrides (which can reorder a
 * file name on screen) become visible escapes. File names, EXR attribute names and messages that quote them can
 * hold any of these, so every human-readable line the CLI prints goes through here; JSON output is already escaped.
 */
export function safeText(s: string): string {
  return s.replace(UNSAFE, (c) => {
    const n = c.codePointAt(0)!;
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
}

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Writes human output: our own line breaks are kept, everything inside a line is sanitised. */
export function writeHuman(stream: NodeJS.WritableStream, text: string): void {
  stream.write(text.split('\n').map(safeText).join('\n'));
}
