/** Already-compressed formats: deflating them again in a zip costs time and saves nothing. */
const COMPRESSED = /\.(jpe?g|png|webp|avif|heic|gif|exr|zip|7z|rar|gz|zst|mp4|mov|mkv|webm|glb|usdz)$/i;

export function worthCompressing(file: string): boolean {
  return !COMPRESSED.test(file);
}
