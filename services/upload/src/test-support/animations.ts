/**
 * Files of many frames, made by the real encoders (ImageMagick for the frames, gifsicle, gif2webp,
 * apngasm, heif-enc to put them together; scripts/ensure-image-tools.sh installs them), and checked
 * against an independent reader of the count (gifsicle --info, webpmux -info, heif-info, the acTL chunk)
 * before a test uses them. ImageMagick makes only the two frames: its GIF writer takes minutes for a few
 * hundred. Frames alternate between two pictures, so no encoder can merge them into one.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..', '..');

export interface Animations {
  /** An animated GIF of `frames` frames of `size` x `size` pixels; `noisy` frames compress badly (a large file). */
  gif(frames: number, options?: { size?: number; noisy?: boolean }): Buffer;
  /** An animated WebP of `frames` frames (gif2webp of such a GIF). */
  webp(frames: number): Buffer;
  /** An APNG of `frames` frames (apngasm). */
  apng(frames: number): Buffer;
  /** A HEIC holding `images` top-level images (heif-enc with that many inputs). */
  heic(images: number): Buffer;
  /** Removes the files. */
  close(): void;
}

export function animations(): Animations {
  execFileSync('bash', [join(root, 'scripts', 'ensure-image-tools.sh')], { stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'animations-'));
  const im = ['/usr/bin/convert-im6.q16', '/usr/bin/magick'].find((path) => existsSync(path));
  if (!im) throw new Error('ImageMagick not found (scripts/ensure-image-tools.sh installs it)');
  const run = (command: string, ...args: string[]) =>
    execFileSync(command, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  let made = 0;
  const name = (extension: string) => `file-${++made}.${extension}`;
  const check = (what: string, counted: number, frames: number) => {
    if (counted !== frames) throw new Error(`animations: ${what} has ${counted} frames, expected ${frames}`);
  };
  /** Two different frames (red and blue, or two noise fields), as a two-frame GIF. */
  const pair = (size: number, noisy: boolean) => {
    const file = name('gif');
    const frames = noisy ? ['xc:gray', '+noise', 'Random', '(', 'xc:gray', '+noise', 'Random', ')'] : ['xc:red', 'xc:blue'];
    run(im, '-size', `${size}x${size}`, ...frames, '-loop', '0', file);
    return file;
  };
  const gifFile = (frames: number, size: number, noisy: boolean) => {
    const two = pair(size, noisy);
    const file = name('gif');
    // gifsicle takes frame selections of its inputs: the pair over and over, then its first frame if odd.
    const inputs = Array.from({ length: Math.floor(frames / 2) }, () => two);
    if (frames % 2) inputs.push(two, '#0');
    run('gifsicle', '--loopcount=forever', ...inputs, '-o', file);
    check(file, Number(/(\d+) images?/.exec(run('gifsicle', '--info', file))?.[1]), frames);
    return file;
  };
  return {
    gif: (frames, options = {}) => readFileSync(join(dir, gifFile(frames, options.size ?? 2, options.noisy ?? false))),
    webp(frames) {
      const file = name('webp');
      run('gif2webp', '-quiet', gifFile(frames, 2, false), '-o', file);
      check(file, Number(/Number of frames: (\d+)/.exec(run('webpmux', '-info', file))?.[1]), frames);
      return readFileSync(join(dir, file));
    },
    apng(frames) {
      // A vertical strip of alternating 2x2 cells, cut into frames by apngasm.
      const cell = name('png');
      run(im, '-size', '2x4', 'xc:red', '-fill', 'blue', '-draw', 'rectangle 0,2 1,3', cell);
      const strip = name('png');
      run(im, '-size', `2x${frames * 2}`, `tile:${cell}`, strip);
      const file = name('png');
      run('apngasm', file, strip, `-vs${frames}`, '-z0');
      const bytes = readFileSync(join(dir, file));
      const actl = bytes.indexOf('acTL', 0, 'latin1');
      check(file, actl < 0 ? 0 : bytes.readUInt32BE(actl + 4), frames);
      return bytes;
    },
    heic(images) {
      const inputs = Array.from({ length: images }, (_, index) => {
        const input = name('png');
        run(im, '-size', '16x16', index % 2 ? 'xc:blue' : 'xc:red', input);
        return input;
      });
      const file = name('heic');
      run('heif-enc', '-q', '50', ...inputs, '-o', file);
      check(file, run('heif-info', file).match(/^image: /gm)?.length ?? 0, images);
      return readFileSync(join(dir, file));
    },
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}
