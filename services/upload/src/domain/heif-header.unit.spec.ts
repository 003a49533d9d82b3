/**
 * The HEIF box reader on files made by real encoders (the format corpus: heif-enc, and libheif's API for the
 * file of two images), and on copies of them edited at the offsets of the boxes it reads: the other versions
 * of a box's layout (32-bit ids, 64-bit sizes, wide property indices), derived images, and every way a box
 * can be broken. Box layouts: ISO/IEC 14496-12 (ftyp, meta, pitm, iinf/infe, iref, free) and 23008-12 (iprp,
 * ipco, ipma, ispe, grid/iden/iovl).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatCorpus } from '../../../../test/formats/format-corpus.js';
import { isIsoBmff, readHeifHeader, type HeifHeaderResult } from './heif-header.js';

const corpus = formatCorpus();
/** heif-enc: ftyp heic [mif1 heic miaf]; item 1 hvc1 (primary, 600x400), item 2 Exif (cdsc -> 1). */
const heic = () => Buffer.from(readFileSync(corpus.path('heic-heif-enc.heic')));
/** Item 1 hvc1 320x480 (a decoy written first), item 2 hvc1 600x400 (the primary), item 3 Exif (cdsc -> 2). */
const twoImages = () => Buffer.from(readFileSync(corpus.path('heic-primary-second.heic')));
const avif = () => Buffer.from(readFileSync(corpus.path('image.avif')));

const read = (bytes: Buffer, complete = true): HeifHeaderResult => readHeifHeader(bytes, complete);
const invalid = (reason: string) => ({ kind: 'invalid', reason });
const ENDS_INSIDE = invalid('the file ends inside its header');

/** Where the first box of that type starts (its size field); the header boxes come before any pixel data. */
function boxAt(file: Buffer, type: string, from = 0): number {
  const at = file.indexOf(type, from, 'latin1') - 4;
  if (at < 0) throw new Error(`no ${type} box`);
  return at;
}

/** Inserts bytes at `at`, growing the boxes that start at `enclosing` (the box edited and its parents). */
function insert(file: Buffer, at: number, bytes: number[], enclosing: number[]): Buffer {
  const copy = Buffer.from(file);
  for (const box of enclosing) copy.writeUInt32BE(copy.readUInt32BE(box) + bytes.length, box);
  return Buffer.concat([copy.subarray(0, at), Buffer.from(bytes), copy.subarray(at)]);
}

const headerOf = (result: HeifHeaderResult) => {
  if (result.kind !== 'heif') throw new Error(`not read: ${JSON.stringify(result)}`);
  return result.header;
};

/** The two-image file made a grid: the primary (2) a grid of item 1, its iref cdsc turned into dimg 2 -> 1, item 1 AV1. */
function gridOfAv1(derivedType = 'grid'): Buffer {
  const file = twoImages();
  const infes = [boxAt(file, 'infe'), boxAt(file, 'infe', boxAt(file, 'infe') + 8)];
  file.write('av01', infes[0]! + 16, 'latin1');
  file.write(derivedType, infes[1]! + 16, 'latin1');
  const reference = boxAt(file, 'cdsc');
  file.write('dimg', reference + 4, 'latin1');
  file.writeUInt16BE(2, reference + 8); // from the primary
  file.writeUInt16BE(1, reference + 12); // to the coded image
  return file;
}

describe('isIsoBmff', () => {
  it('is true from 12 bytes that start with an ftyp box, whatever the brand', () => {
    const start = heic().subarray(0, 12);
    expect(isIsoBmff(start)).toBe(true);
    expect(isIsoBmff(start.subarray(0, 11))).toBe(false);
    const other = Buffer.from(start);
    other.write('ftyq', 4, 'latin1');
    expect(isIsoBmff(other)).toBe(false);
    expect(isIsoBmff(Buffer.from('....ftypisom'))).toBe(true);
    expect(isIsoBmff(Buffer.from('....ftypiso'))).toBe(false);
  });
});

describe('readHeifHeader on real files', () => {
  it('reads the brands, the codec and the primary image size of heif-enc HEIC and AVIF', () => {
    expect(read(heic())).toEqual({
      kind: 'heif',
      header: { majorBrand: 'heic', compatibleBrands: ['mif1', 'heic', 'miaf'], codec: 'hvc1', width: 600, height: 400, topLevelImages: 1 },
    });
    expect(read(avif())).toEqual({
      kind: 'heif',
      header: { majorBrand: 'avif', compatibleBrands: ['avif', 'mif1', 'miaf'], codec: 'av01', width: 600, height: 400, topLevelImages: 1 },
    });
  });

  it('reads the primary image of a file with two, not the first, and counts both', () => {
    expect(headerOf(read(twoImages()))).toMatchObject({ codec: 'hvc1', width: 600, height: 400, topLevelImages: 2 });
  });

  it('needs only the bytes up to the end of the meta box', () => {
    const grid = gridOfAv1(); // its last field (the dimg target) is the meta box's last byte
    const gridMetaEnd = boxAt(grid, 'meta') + grid.readUInt32BE(boxAt(grid, 'meta'));
    // A grid is one image: its tiles are its ingredients, not images of their own.
    expect(headerOf(read(grid.subarray(0, gridMetaEnd), false))).toMatchObject({ codec: 'av01', topLevelImages: 1 });
    const file = heic();
    const metaEnd = boxAt(file, 'meta') + file.readUInt32BE(boxAt(file, 'meta'));
    expect(headerOf(read(file.subarray(0, metaEnd), false))).toMatchObject({ width: 600, height: 400 });
    expect(read(file.subarray(0, metaEnd - 1), false)).toEqual({ kind: 'need-more' });
    expect(read(file.subarray(0, metaEnd - 1), true)).toEqual(ENDS_INSIDE);
  });

  it('asks for more bytes at every cut before the end of the meta box, and calls it cut once complete', () => {
    const file = heic();
    const metaEnd = boxAt(file, 'meta') + file.readUInt32BE(boxAt(file, 'meta'));
    for (const cut of [4, 8, 12, 20, 28, 30, 36, 40, 100, metaEnd - 1]) {
      expect(read(file.subarray(0, cut), false)).toEqual({ kind: 'need-more' });
      expect(read(file.subarray(0, cut), true)).toEqual(ENDS_INSIDE);
    }
  });

  it('skips the boxes between ftyp and meta, and empty boxes inside meta', () => {
    const file = heic();
    const free = [0, 0, 0, 8, ...Buffer.from('free')]; // an empty box: its header is all it has
    const withFree = insert(file, boxAt(file, 'meta'), free, []);
    expect(headerOf(read(withFree))).toMatchObject({ codec: 'hvc1', width: 600, height: 400 });
    const nested = insert(file, boxAt(file, 'hdlr'), free, [boxAt(file, 'meta')]);
    expect(headerOf(read(nested))).toMatchObject({ codec: 'hvc1', width: 600, height: 400 });
  });

  it('reads a meta box with a 64-bit size, and waits for its size field', () => {
    const file = heic();
    const meta = boxAt(file, 'meta');
    const size = file.readUInt32BE(meta);
    const large = insert(file, meta + 8, [0, 0, 0, 0, 0, 0, 0, 0], []);
    large.writeUInt32BE(1, meta);
    large.writeUInt32BE(size + 8, meta + 12);
    expect(headerOf(read(large))).toMatchObject({ codec: 'hvc1', width: 600, height: 400 });
    expect(read(large.subarray(0, meta + 15), false)).toEqual({ kind: 'need-more' });
    expect(read(large.subarray(0, meta + 15), true)).toEqual(ENDS_INSIDE);
    expect(read(large.subarray(0, meta + 16), true)).toEqual(ENDS_INSIDE);
  });

  it('takes a last top-level box without a size (running to the end of the file)', () => {
    const file = heic();
    file.writeUInt32BE(0, boxAt(file, 'mdat'));
    expect(headerOf(read(file))).toMatchObject({ width: 600, height: 400 });
  });
});

describe('the other layouts of the boxes it reads', () => {
  it('reads pitm version 1 (a 32-bit item id)', () => {
    const file = twoImages();
    const pitm = boxAt(file, 'pitm');
    const v1 = insert(file, pitm + 12, [0, 0], [boxAt(file, 'meta'), pitm]);
    v1[pitm + 8] = 1;
    expect(headerOf(read(v1))).toMatchObject({ width: 600, height: 400 });
  });

  it('reads iinf version 1 (a 32-bit entry count) and infe version 3 (32-bit item ids)', () => {
    const file = twoImages();
    const iinf = boxAt(file, 'iinf');
    const v1 = insert(file, iinf + 12, [0, 0], [boxAt(file, 'meta'), iinf]);
    v1[iinf + 8] = 1;
    expect(headerOf(read(v1))).toMatchObject({ codec: 'hvc1', width: 600, height: 400 });

    const infe = boxAt(file, 'infe', boxAt(file, 'infe') + 8); // the primary's
    const v3 = insert(file, infe + 12, [0, 0], [boxAt(file, 'meta'), iinf, infe]);
    v3[infe + 8] = 3;
    v3.write('av01', infe + 18, 'latin1');
    expect(headerOf(read(v3)).codec).toBe('av01');
  });

  it('knows no codec for item infos of versions 0 and 1 (they have no item type), nor for boxes that are not infe', () => {
    const file = heic();
    const infe = boxAt(file, 'infe');
    const v1 = Buffer.from(file);
    v1[infe + 8] = 1;
    expect(headerOf(read(v1))).toMatchObject({ codec: undefined, width: 600, height: 400 });
    const renamed = Buffer.from(file);
    renamed.write('infx', infe + 4, 'latin1');
    expect(headerOf(read(renamed))).toMatchObject({ codec: undefined, width: 600, height: 400 });
  });

  it('follows a grid, an identity or an overlay down to the coded image, with the primary image’s own size', () => {
    for (const derived of ['grid', 'iden', 'iovl']) {
      expect(headerOf(read(gridOfAv1(derived)))).toMatchObject({ codec: 'av01', width: 600, height: 400 });
    }
  });

  it('follows only derived images: a coded primary is its own codec, whatever it references', () => {
    expect(headerOf(read(gridOfAv1('hvc1')))).toMatchObject({ codec: 'hvc1', width: 600, height: 400 });
  });

  it('follows the first tile of a grid of several', () => {
    const file = gridOfAv1();
    const dimg = boxAt(file, 'dimg');
    const twoTiles = insert(file, dimg + 14, [0, 1], [boxAt(file, 'meta'), boxAt(file, 'iref'), dimg]); // tile 1 twice
    twoTiles.writeUInt16BE(2, dimg + 10);
    expect(headerOf(read(twoTiles))).toMatchObject({ codec: 'av01', width: 600, height: 400 });
    const metaEnd = boxAt(twoTiles, 'meta') + twoTiles.readUInt32BE(boxAt(twoTiles, 'meta'));
    expect(headerOf(read(twoTiles.subarray(0, metaEnd)))).toMatchObject({ codec: 'av01' });
  });

  it('stops at a derived image with no dimg reference, and ignores the other references', () => {
    const unreferenced = gridOfAv1();
    unreferenced.write('thmb', boxAt(unreferenced, 'dimg') + 4, 'latin1');
    expect(headerOf(read(unreferenced)).codec).toBe('grid');
  });

  it('gives up on a derivation loop instead of running forever', () => {
    const loop = gridOfAv1();
    loop.writeUInt16BE(2, boxAt(loop, 'dimg') + 12); // the grid derives from itself
    expect(headerOf(read(loop))).toMatchObject({ codec: undefined, width: 600, height: 400 });
  });

  it('reads iref version 1 (32-bit item ids)', () => {
    const file = gridOfAv1();
    const iref = boxAt(file, 'iref');
    const dimg = boxAt(file, 'dimg');
    // from: 2 bytes more before it; to: 2 bytes more before it
    let v1 = insert(file, dimg + 12, [0, 0], [boxAt(file, 'meta'), iref, dimg]);
    v1 = insert(v1, dimg + 8, [0, 0], [boxAt(v1, 'meta'), iref, dimg]);
    v1[iref + 8] = 1;
    expect(headerOf(read(v1))).toMatchObject({ codec: 'av01', width: 600, height: 400 });
  });

  it('reads ipma version 1 (32-bit item ids) and with 15-bit property indices', () => {
    const file = twoImages();
    const meta = boxAt(file, 'meta');
    const iprp = boxAt(file, 'iprp');
    const ipma = boxAt(file, 'ipma');
    const entries = file.readUInt32BE(ipma + 12);
    const associations: Array<{ id: number; indices: number[] }> = [];
    let at = ipma + 16;
    for (let entry = 0; entry < entries; entry++) {
      const id = file.readUInt16BE(at);
      const count = file[at + 2]!;
      associations.push({ id, indices: [...file.subarray(at + 3, at + 3 + count)] });
      at += 3 + count;
    }
    const rewrite = (version: number, wide: boolean) => {
      const body: number[] = [version, 0, 0, wide ? 1 : 0, 0, 0, 0, entries];
      for (const { id, indices } of associations) {
        body.push(...(version === 1 ? [0, 0] : []), id >> 8, id & 0xff, indices.length);
        // The top bit says "essential" in both widths; the index is the rest.
        for (const index of indices) body.push(...(wide ? [index & 0x80, index & 0x7f] : [index]));
      }
      const size = 8 + body.length;
      const box = Buffer.concat([Buffer.from([size >> 24, (size >> 16) & 0xff, (size >> 8) & 0xff, size & 0xff]), Buffer.from('ipma'), Buffer.from(body)]);
      const out = Buffer.concat([file.subarray(0, ipma), box, file.subarray(ipma + file.readUInt32BE(ipma))]);
      const delta = size - file.readUInt32BE(ipma);
      for (const parent of [meta, iprp]) out.writeUInt32BE(out.readUInt32BE(parent) + delta, parent);
      return out;
    };
    expect(associations.some(({ indices }) => indices.some((index) => index & 0x80))).toBe(true); // essential properties
    expect(rewrite(0, false).equals(file)).toBe(true);
    expect(headerOf(read(rewrite(1, false)))).toMatchObject({ width: 600, height: 400 });
    expect(headerOf(read(rewrite(0, true)))).toMatchObject({ width: 600, height: 400 });
    expect(headerOf(read(rewrite(1, true)))).toMatchObject({ width: 600, height: 400 });
  });
});

describe('refusals', () => {
  it('refuses bytes that do not start with ftyp', () => {
    const file = heic();
    file.write('ftyq', 4, 'latin1');
    expect(read(file)).toEqual(invalid('no ftyp box'));
    expect(read(Buffer.alloc(0))).toEqual(invalid('no ftyp box'));
  });

  it('refuses a file without a primary item, or whose primary has no usable size', () => {
    const noPitm = heic();
    noPitm.write('pitx', boxAt(noPitm, 'pitm') + 4, 'latin1');
    expect(read(noPitm)).toEqual(invalid('no primary item (pitm)'));

    const noIspe = heic();
    noIspe.write('ispf', boxAt(noIspe, 'ispe') + 4, 'latin1');
    expect(read(noIspe)).toEqual(invalid('the primary image has no size (ispe)'));

    const elsewhere = heic();
    elsewhere.writeUInt16BE(2, boxAt(elsewhere, 'pitm') + 12); // the Exif item: it has no properties
    expect(read(elsewhere)).toEqual(invalid('the primary image has no size (ispe)'));

    // An ispe of 11 bytes (4 of version and flags, then less than two 32-bit fields); the 1 byte given back to pixi.
    const shortIspe = heic();
    const ispe = boxAt(shortIspe, 'ispe');
    shortIspe.writeUInt32BE(19, ispe);
    const pixi = ispe + 19;
    shortIspe.writeUInt32BE(shortIspe.readUInt32BE(ispe + 20) + 1, pixi);
    shortIspe.write('pixi', pixi + 4, 'latin1');
    expect(read(shortIspe)).toEqual(invalid('the primary image has no size (ispe)'));
  });

  it('refuses a primary image of width 0 or height 0', () => {
    for (const [width, height] of [
      [0, 400],
      [600, 0],
      [0, 0],
    ]) {
      const file = heic();
      const ispe = boxAt(file, 'ispe');
      file.writeUInt32BE(width!, ispe + 12);
      file.writeUInt32BE(height!, ispe + 16);
      expect(read(file)).toEqual(invalid('the primary image is empty'));
    }
  });

  it('reports the declared size as it is, however large', () => {
    const file = heic();
    const ispe = boxAt(file, 'ispe');
    file.writeUInt32BE(0xffffffff, ispe + 12);
    file.writeUInt32BE(30_000, ispe + 16);
    expect(headerOf(read(file))).toMatchObject({ width: 0xffffffff, height: 30_000 });
  });

  it('refuses boxes smaller than their header, naming printable types', () => {
    const file = heic();
    file.writeUInt32BE(7, boxAt(file, 'iprp'));
    expect(read(file)).toEqual(invalid("a 'iprp' box smaller than its header"));
    expect(read(file, false)).toEqual(invalid("a 'iprp' box smaller than its header"));
    const unprintable = Buffer.from(file);
    unprintable.write('ip\x01p', boxAt(file, 'iprp') + 4, 'latin1');
    expect(read(unprintable)).toEqual(invalid('a malformed box smaller than its header'));
    const del = Buffer.from(file);
    del.write('ip\x7fp', boxAt(file, 'iprp') + 4, 'latin1');
    expect(read(del)).toEqual(invalid('a malformed box smaller than its header'));
    // A nested 64-bit size: here the next box's header, far larger than the parent.
    const large = heic();
    large.writeUInt32BE(1, boxAt(large, 'iprp'));
    expect(read(large)).toEqual(invalid("a 'iprp' box runs past its parent"));
  });

  it('refuses a top-level ftyp smaller than its header, and waits for an ftyp without a size', () => {
    const small = heic();
    small.writeUInt32BE(4, 0);
    expect(read(small)).toEqual(invalid("a 'ftyp' box smaller than its header"));
    const unsized = heic();
    unsized.writeUInt32BE(0, 0);
    expect(read(unsized, false)).toEqual({ kind: 'need-more' });
    expect(read(unsized, true)).toEqual(ENDS_INSIDE);
  });

  it('refuses a nested box without a size, or running past its parent', () => {
    const unsized = heic();
    unsized.writeUInt32BE(0, boxAt(unsized, 'ispe'));
    expect(read(unsized)).toEqual(invalid('a nested box without a size'));

    const past = heic();
    const pixi = boxAt(past, 'pixi'); // the last property in ipco
    past.writeUInt32BE(past.readUInt32BE(pixi) + 1, pixi);
    expect(read(past)).toEqual(invalid("a 'pixi' box runs past its parent"));
    expect(read(past, false)).toEqual(invalid("a 'pixi' box runs past its parent"));
  });

  it('ignores the associations past the count ipma declares', () => {
    const file = twoImages();
    const ipma = boxAt(file, 'ipma');
    expect(file.readUInt32BE(ipma + 12)).toBe(2); // items 1 and 2, the primary last
    file.writeUInt32BE(1, ipma + 12);
    expect(read(file)).toEqual(invalid('the primary image has no size (ispe)'));
  });

  it('refuses a meta box that ends inside the header of a box, at the end of the bytes', () => {
    const file = heic();
    const meta = boxAt(file, 'meta');
    file.writeUInt32BE(file.readUInt32BE(meta) + 8, meta); // takes in mdat's header, not its payload
    const cut = file.subarray(0, meta + file.readUInt32BE(meta));
    expect(read(cut)).toEqual(invalid("a 'mdat' box runs past its parent"));
  });

  it('refuses a meta box whose last bytes cannot hold a box header', () => {
    const file = heic();
    const meta = boxAt(file, 'meta');
    file.writeUInt32BE(file.readUInt32BE(meta) + 4, meta);
    const cut = file.subarray(0, meta + file.readUInt32BE(meta));
    expect(read(cut)).toEqual(invalid('a box runs past its parent'));
    expect(read(cut, false)).toEqual(invalid('a box runs past its parent'));
  });

  it('refuses fields that lie past the end of their box', () => {
    const file = heic();
    const meta = boxAt(file, 'meta');
    const metaEnd = meta + file.readUInt32BE(meta);
    const iref = boxAt(file, 'iref'); // the last box in meta: its reference's last field is the file's last byte
    expect(iref + file.readUInt32BE(iref)).toBe(metaEnd);
    const cdsc = boxAt(file, 'cdsc');
    // The reference claims 2 targets: the second lies past the end of the bytes.
    file.writeUInt16BE(2, cdsc + 10);
    expect(read(file.subarray(0, metaEnd))).toEqual({ kind: 'heif', header: expect.objectContaining({ width: 600 }) });
    const dimg = Buffer.from(file);
    dimg.write('dimg', cdsc + 4, 'latin1');
    expect(read(dimg.subarray(0, metaEnd))).toEqual(invalid('a box is shorter than its fields'));
  });
});
