/** images/: the six logos, PNG, exact sizes, at most 300 KB each (https://developers.kommo.com/docs/images). */
import { PNG } from 'pngjs';
import type { Fault, WidgetFiles } from './types';
import { fault } from './types';

export const LOGOS: Record<string, { width: number; height: number }> = {
  'logo_main.png': { width: 400, height: 272 },
  'logo.png': { width: 130, height: 100 },
  'logo_small.png': { width: 108, height: 108 },
  'logo_medium.png': { width: 240, height: 84 },
  'logo_min.png': { width: 84, height: 84 },
  'logo_dp.png': { width: 174, height: 109 },
};

export const MAX_IMAGE_BYTES = 300 * 1024;
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function checkImages(pkg: WidgetFiles): Fault[] {
  const faults: Fault[] = [];
  for (const [name, size] of Object.entries(LOGOS)) {
    const file = `images/${name}`;
    const bytes = pkg.files.get(file);
    const want = `${size.width}x${size.height}`;
    if (!bytes) {
      faults.push(fault(file, 'is missing', `add a ${want} PNG at ${file}`));
      continue;
    }
    if (bytes.length > MAX_IMAGE_BYTES) {
      faults.push(fault(file, `weighs ${(bytes.length / 1024).toFixed(1)} KB, over Kommo's 300 KB`, 'compress it (fewer colours, higher deflate level) below 300 KB'));
    }
    if (bytes.length < 24 || !bytes.subarray(0, 8).equals(SIGNATURE) || bytes.toString('latin1', 12, 16) !== 'IHDR') {
      faults.push(fault(file, 'is not a PNG file', `save it as PNG, ${want}`));
      continue;
    }
    const width = bytes.readUInt32BE(16);
    const height = bytes.readUInt32BE(20);
    if (width !== size.width || height !== size.height) {
      faults.push(fault(file, `is ${width}x${height}, Kommo wants exactly ${want}`, `resize it to ${want}`));
      continue;
    }
    try {
      PNG.sync.read(bytes);
    } catch (error) {
      faults.push(fault(file, `is a damaged PNG (${(error as Error).message})`, `export ${file} again`));
    }
  }
  return faults;
}
