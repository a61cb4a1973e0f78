/**
 * Draws the widget's six logos (images/*.png) at the exact sizes Kommo asks for
 * (https://developers.kommo.com/docs/images): a rounded-square badge on a teal-to-blue
 * gradient with a white handset and signal arcs. Shapes are signed distance functions,
 * supersampled 4x4 per pixel for anti-aliasing. Run: `npx tsx scripts/make-images.ts [outDir]`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { defineCommand, readCommandLine } from '../relay/src/command-line';
import { LOGOS } from './validator/images';

// The sizes Kommo demands, as the validator checks them (one list for both).
const LOGO_SIZES = LOGOS;

type Rgba = [number, number, number, number];

const hex = (value: string, alpha = 1): Rgba => [
  parseInt(value.slice(1, 3), 16) / 255,
  parseInt(value.slice(3, 5), 16) / 255,
  parseInt(value.slice(5, 7), 16) / 255,
  alpha,
];
const mix = (a: Rgba, b: Rgba, t: number): Rgba => [0, 1, 2, 3].map((i) => a[i]! + (b[i]! - a[i]!) * t) as Rgba;
const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

// --- signed distances, in badge units: the badge spans [-1, 1] on both axes, y points down.
function roundedBox(x: number, y: number, half: number, radius: number): number {
  const qx = Math.abs(x) - half + radius;
  const qy = Math.abs(y) - half + radius;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
}

function capsule(x: number, y: number, ax: number, ay: number, bx: number, by: number, r: number): number {
  const px = x - ax, py = y - ay, dx = bx - ax, dy = by - ay;
  const h = clamp01((px * dx + py * dy) / (dx * dx + dy * dy));
  return Math.hypot(px - dx * h, py - dy * h) - r;
}

/** A ring of radius `r` and half-thickness `t` around (cx, cy), between angles a0..a1 (radians), with round caps. */
function arc(x: number, y: number, cx: number, cy: number, r: number, t: number, a0: number, a1: number): number {
  const angle = Math.atan2(y - cy, x - cx);
  const inside = angle >= a0 && angle <= a1;
  if (inside) return Math.abs(Math.hypot(x - cx, y - cy) - r) - t;
  const end = (a: number) => Math.hypot(x - (cx + r * Math.cos(a)), y - (cy + r * Math.sin(a))) - t;
  return Math.min(end(a0), end(a1));
}

const deg = (d: number) => (d * Math.PI) / 180;

// The handset: a thick arc around (CX, CY), bulging to the bottom-left, with a cup at each end
// pointing back toward (CX, CY); two signal arcs radiate into the free top-right corner.
const CX = 0.42, CY = -0.42;
const R = 0.86;

function handset(x: number, y: number): number {
  let d = arc(x, y, CX, CY, R, 0.13, deg(90), deg(180));
  for (const a of [deg(90), deg(180)]) {
    const ex = CX + (R + 0.02) * Math.cos(a), ey = CY + (R + 0.02) * Math.sin(a);
    const ix = CX + (R - 0.24) * Math.cos(a), iy = CY + (R - 0.24) * Math.sin(a);
    d = Math.min(d, capsule(x, y, ex, ey, ix, iy, 0.17));
  }
  return d;
}

function signal(x: number, y: number): number {
  const sx = -0.02, sy = 0.02;
  return Math.min(
    arc(x, y, sx, sy, 0.36, 0.065, deg(-68), deg(-22)),
    arc(x, y, sx, sy, 0.6, 0.065, deg(-72), deg(-18)),
  );
}

const TEAL = hex('#14b8a6');
const BLUE = hex('#2563eb');
const DEEP = hex('#1e3a8a');
const WHITE = hex('#ffffff');

/** Colour of the badge alone at (x, y), badge units; alpha 0 outside it. */
function badgeSample(x: number, y: number, px: number): Rgba {
  const box = roundedBox(x, y, 1, 0.42);
  const coverage = clamp01(0.5 - box / px);
  if (coverage <= 0) return [0, 0, 0, 0];
  // Diagonal gradient, a soft light at the top-left, slightly deeper at the bottom edge.
  const t = clamp01((x + y + 2) / 4);
  let color = mix(TEAL, BLUE, t);
  color = mix(color, DEEP, clamp01((y - 0.55) / 0.45) * 0.35);
  const glow = clamp01(1 - Math.hypot(x + 0.6, y + 0.7) / 1.3) * 0.22;
  color = mix(color, WHITE, glow);
  // A thin inner edge highlight gives the badge some depth.
  const rim = clamp01(1 - Math.abs(box + 0.03) / 0.03) * clamp01(-y) * 0.25;
  color = mix(color, WHITE, rim);
  const shape = Math.min(handset(x, y), signal(x, y));
  // The mark's own soft shadow, offset down-right.
  const shadow = clamp01(1 - Math.min(handset(x - 0.03, y - 0.04), signal(x - 0.03, y - 0.04)) / 0.08) * 0.18;
  color = mix(color, DEEP, shadow);
  color = mix(color, WHITE, clamp01(0.5 - shape / px));
  return [color[0], color[1], color[2], coverage];
}

function over(top: Rgba, bottom: Rgba): Rgba {
  const a = top[3] + bottom[3] * (1 - top[3]);
  if (a === 0) return [0, 0, 0, 0];
  const c = (i: number) => (top[i]! * top[3] + bottom[i]! * bottom[3] * (1 - top[3])) / a;
  return [c(0), c(1), c(2), a];
}

export function drawLogo(width: number, height: number): PNG {
  const png = new PNG({ width, height });
  const square = width === height;
  // Square logos are the badge itself; wide ones put it on a light, opaque card.
  const size = square ? Math.min(width, height) * 0.96 : Math.min(width, height) * 0.74;
  const half = size / 2;
  const cx = width / 2, cy = height / 2;
  const px = 1 / half; // one pixel, in badge units
  const SS = 4;
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const acc: Rgba = [0, 0, 0, 0];
      for (let sj = 0; sj < SS; sj++) {
        for (let si = 0; si < SS; si++) {
          const sx = i + (si + 0.5) / SS, sy = j + (sj + 0.5) / SS;
          const x = (sx - cx) / half, y = (sy - cy) / half;
          let background: Rgba = [0, 0, 0, 0];
          if (!square) {
            const t = clamp01(sy / height);
            background = mix(hex('#f8fbff'), hex('#e6effc'), t);
            // Soft drop shadow under the badge.
            const d = roundedBox(x - 0.04, y - 0.1, 1, 0.42);
            background = mix(background, hex('#1e3a8a'), clamp01(1 - (d + 0.02) / 0.22) * 0.22);
          }
          const color = over(badgeSample(x, y, px), background);
          for (let k = 0; k < 3; k++) acc[k]! += color[k]! * color[3];
          acc[3] += color[3];
        }
      }
      const n = SS * SS;
      const alpha = acc[3] / n;
      const offset = (j * width + i) * 4;
      for (let k = 0; k < 3; k++) png.data[offset + k] = alpha > 0 ? Math.round((acc[k]! / acc[3]) * 255) : 0;
      png.data[offset + 3] = Math.round(alpha * 255);
    }
  }
  return png;
}

export function writeLogos(outDir: string): Array<{ file: string; width: number; height: number; bytes: number }> {
  fs.mkdirSync(outDir, { recursive: true });
  return Object.entries(LOGO_SIZES).map(([file, { width, height }]) => {
    const buffer = PNG.sync.write(drawLogo(width, height), { deflateLevel: 9 });
    fs.writeFileSync(path.join(outDir, file), buffer);
    return { file, width, height, bytes: buffer.length };
  });
}

const MAKE_IMAGES_COMMAND = defineCommand({
  name: 'make-images',
  usage: 'npx tsx scripts/make-images.ts [out-dir]',
  summary: "Draws the widget's six logos at the sizes Kommo asks for (the validator's list) and writes them as PNG.",
  positionals: [{ name: 'out-dir', description: 'where the PNG files go (default images/)' }],
  flags: {},
});

if (require.main === module) {
  const { positionals } = readCommandLine(MAKE_IMAGES_COMMAND);
  const outDir = path.resolve(positionals[0] ?? path.join(__dirname, '..', 'images'));
  for (const logo of writeLogos(outDir)) {
    console.log(`${logo.file.padEnd(16)} ${logo.width}x${logo.height}  ${(logo.bytes / 1024).toFixed(1)} KB`);
  }
}
