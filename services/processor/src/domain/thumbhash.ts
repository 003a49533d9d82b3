/**
 * ThumbHash encoding (https://evanw.github.io/thumbhash/), the same bytes as `rgbaToThumbHash` of the
 * `thumbhash` package (0.1.1, the reference implementation): the same arithmetic in the same order, so
 * every hash is bit-identical (thumbhash.unit.spec.ts checks it against the package).
 *
 * Why a copy: the package's encoder runs once per photo, too rarely to be optimized by V8, and there it
 * fills plain arrays through boxed numbers: about 1.3 MB of garbage and 3 ms of the main thread per photo
 * in the processor, where the main thread's time is taken from libvips. Here the planes are typed arrays,
 * each cosine is computed once per coefficient column and row instead of once per pixel row, and the
 * cosine tables are reused across calls.
 */

const { PI, round, max, cos, abs } = Math;

/** The DCT coefficients of one channel: DC, the AC terms normalized to 0..1, and their scale. */
interface Channel {
  readonly dc: number;
  readonly ac: number[];
  readonly scale: number;
}

/**
 * The ThumbHash of an RGBA image of at most 100x100 pixels (RGB not premultiplied by alpha).
 * @throws Error when the image is larger than 100x100, as the reference does.
 */
export function rgbaToThumbHash(w: number, h: number, rgba: Uint8Array): Uint8Array {
  if (w > 100 || h > 100) throw new Error(`${w}x${h} doesn't fit in 100x100`);
  const pixels = w * h;

  // The average colour.
  let avgR = 0;
  let avgG = 0;
  let avgB = 0;
  let avgA = 0;
  for (let i = 0, j = 0; i < pixels; i++, j += 4) {
    const alpha = rgba[j + 3]! / 255;
    avgR += (alpha / 255) * rgba[j]!;
    avgG += (alpha / 255) * rgba[j + 1]!;
    avgB += (alpha / 255) * rgba[j + 2]!;
    avgA += alpha;
  }
  if (avgA) {
    avgR /= avgA;
    avgG /= avgA;
    avgB /= avgA;
  }

  const hasAlpha = avgA < pixels;
  const lLimit = hasAlpha ? 5 : 7; // fewer luminance bits when there is alpha
  const lx = max(1, round((lLimit * w) / max(w, h)));
  const ly = max(1, round((lLimit * h) / max(w, h)));
  const l = new Float64Array(pixels); // luminance
  const p = new Float64Array(pixels); // yellow - blue
  const q = new Float64Array(pixels); // red - green
  const a = new Float64Array(pixels); // alpha

  // RGBA to LPQA, composited atop the average colour.
  for (let i = 0, j = 0; i < pixels; i++, j += 4) {
    const alpha = rgba[j + 3]! / 255;
    const r = avgR * (1 - alpha) + (alpha / 255) * rgba[j]!;
    const g = avgG * (1 - alpha) + (alpha / 255) * rgba[j + 1]!;
    const b = avgB * (1 - alpha) + (alpha / 255) * rgba[j + 2]!;
    l[i] = (r + g + b) / 3;
    p[i] = (r + g) / 2 - b;
    q[i] = r - g;
    a[i] = alpha;
  }

  const cosines = cosineTables(w, h, max(3, lx, hasAlpha ? 5 : 3), max(3, ly, hasAlpha ? 5 : 3));
  const encode = (channel: Float64Array, nx: number, ny: number): Channel => encodeChannel(channel, nx, ny, w, h, cosines);
  const L = encode(l, max(3, lx), max(3, ly));
  const P = encode(p, 3, 3);
  const Q = encode(q, 3, 3);
  const A = hasAlpha ? encode(a, 5, 5) : undefined;

  // The constants.
  const isLandscape = w > h;
  const header24 =
    round(63 * L.dc) | (round(31.5 + 31.5 * P.dc) << 6) | (round(31.5 + 31.5 * Q.dc) << 12) | (round(31 * L.scale) << 18) | (Number(hasAlpha) << 23);
  const header16 = (isLandscape ? ly : lx) | (round(63 * P.scale) << 3) | (round(63 * Q.scale) << 9) | (Number(isLandscape) << 15);
  const hash = [header24 & 255, (header24 >> 8) & 255, header24 >> 16, header16 & 255, header16 >> 8];
  const acStart = hasAlpha ? 6 : 5;
  let acIndex = 0;
  if (A) hash.push(round(15 * A.dc) | (round(15 * A.scale) << 4));

  // The varying factors, two per byte.
  for (const channel of A ? [L, P, Q, A] : [L, P, Q]) {
    for (const f of channel.ac) {
      const index = acStart + (acIndex >> 1);
      hash[index] = (hash[index] ?? 0) | (round(15 * f) << ((acIndex++ & 1) << 2));
    }
  }
  return new Uint8Array(hash);
}

/** cos(PI / w * cx * (x + 0.5)) for every cx < nx and x < w, and the same down the rows, as the reference computes them. */
interface CosineTables {
  readonly x: Float64Array; // [cx * w + x]
  readonly y: Float64Array; // [cy * h + y]
}

let cached: { w: number; h: number; nx: number; ny: number; tables: CosineTables } | undefined;

function cosineTables(w: number, h: number, nx: number, ny: number): CosineTables {
  if (cached && cached.w === w && cached.h === h && cached.nx >= nx && cached.ny >= ny) return cached.tables;
  const x = new Float64Array(nx * w);
  for (let cx = 0; cx < nx; cx++) for (let i = 0; i < w; i++) x[cx * w + i] = cos((PI / w) * cx * (i + 0.5));
  const y = new Float64Array(ny * h);
  for (let cy = 0; cy < ny; cy++) for (let i = 0; i < h; i++) y[cy * h + i] = cos((PI / h) * cy * (i + 0.5));
  const tables = { x, y };
  cached = { w, h, nx, ny, tables };
  return tables;
}

// The DCT into a DC (constant) and normalized AC (varying) terms, summed in the reference's order.
function encodeChannel(channel: Float64Array, nx: number, ny: number, w: number, h: number, cosines: CosineTables): Channel {
  let dc = 0;
  let scale = 0;
  const ac: number[] = [];
  for (let cy = 0; cy < ny; cy++) {
    for (let cx = 0; cx * ny < nx * (ny - cy); cx++) {
      let f = 0;
      const fxStart = cx * w;
      for (let y = 0; y < h; y++) {
        const fy = cosines.y[cy * h + y]!;
        for (let x = 0, row = y * w; x < w; x++) f += channel[x + row]! * cosines.x[fxStart + x]! * fy;
      }
      f /= w * h;
      if (cx || cy) {
        ac.push(f);
        scale = max(scale, abs(f));
      } else {
        dc = f;
      }
    }
  }
  if (scale) for (let i = 0; i < ac.length; i++) ac[i] = 0.5 + (0.5 / scale) * ac[i]!;
  return { dc, ac, scale };
}
