import * as fs from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { drawLogo } from '../../../scripts/make-images';
import { LOGOS } from '../../../scripts/validator';
import { ROOT } from './fixtures';

const read = (file: string) => PNG.sync.read(fs.readFileSync(path.join(ROOT, 'images', file)));

describe('images/', () => {
  it.each(Object.keys(LOGOS))('%s is a designed mark: many colours, a white handset on the coloured badge', (file) => {
    const png = read(file);
    const colours = new Set<number>();
    let white = 0;
    let badge = 0;
    for (let i = 0; i < png.data.length; i += 4) {
      const [r, g, b, a] = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!, png.data[i + 3]!];
      colours.add((r << 16) | (g << 8) | b);
      if (a === 255 && r > 245 && g > 245 && b > 245) white++;
      if (a === 255 && b > r + 60) badge++; // the teal-to-blue gradient
    }
    const pixels = png.width * png.height;
    expect(colours.size).toBeGreaterThan(200);
    expect(badge / pixels).toBeGreaterThan(0.1);
    expect(white / pixels).toBeGreaterThan(0.02);
  });

  // One (the smallest) is enough to catch a hand-edited or stale logo; drawing is slow under jest.
  it('the committed PNGs are what scripts/make-images.ts draws', () => {
    const png = read('logo_min.png');
    expect(Buffer.compare(drawLogo(png.width, png.height).data, png.data)).toBe(0);
  }, 60_000);
});
