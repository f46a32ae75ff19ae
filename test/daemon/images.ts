// Small generated images for the daemon tests and the bench (real PNG files, different content each).
import path from 'node:path';
import sharp from 'sharp';

export async function makeImages(dir: string, count: number, size = 256, prefix = 'render'): Promise<string[]> {
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const file = path.join(dir, `${prefix}-${i}.png`);
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">` +
      `<rect width="100%" height="100%" fill="rgb(${(i * 53) % 256},${(i * 97) % 256},${(i * 151) % 256})"/>` +
      `<circle cx="${(i * 37) % size}" cy="${size / 2}" r="${size / 4}" fill="white"/></svg>`;
    await sharp(Buffer.from(svg)).png().toFile(file);
    files.push(file);
  }
  return files;
}
