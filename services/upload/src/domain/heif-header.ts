/**
 * Reads the header of a HEIF-family file (HEIC, HEIF, AVIF: ISO/IEC 23008-12 over the ISO base media file
 * format) without decoding anything: which brand it is, how its primary image is coded, and that image's
 * size. image-size reports the first `ispe` box of the file, which in an iPhone photo is one 512x512 tile
 * of the grid, and in a file with several images may be any of them; the pixel limit needs the primary's.
 */

/** What the header says; `width` x `height` is the primary image's coded size, before irot/imir. */
export interface HeifHeader {
  readonly majorBrand: string;
  readonly compatibleBrands: readonly string[];
  /** The codec of the primary image's pixels (`hvc1` HEVC, `av01` AV1, `jpeg`...), through grid/iden/iovl. */
  readonly codec: string | undefined;
  readonly width: number;
  readonly height: number;
  /**
   * The images a reader lists (libheif's top-level images): every image item but the tiles and inputs of
   * derived images, thumbnails, auxiliary images (alpha, depth) and hidden items. An iPhone photo has one.
   */
  readonly topLevelImages: number;
}

export type HeifHeaderResult =
  | { kind: 'heif'; header: HeifHeader }
  /** The boxes that hold the header go past the bytes given. */
  | { kind: 'need-more' }
  | { kind: 'invalid'; reason: string };

interface Box {
  readonly type: string;
  /** Where the box's payload starts and ends (end may lie past the buffer). */
  readonly start: number;
  readonly end: number;
}

class Truncated extends Error {}
class Invalid extends Error {}

const DERIVED = new Set(['grid', 'iden', 'iovl']);
/** Item types that hold no picture (metadata items). */
const NOT_IMAGES = new Set(['Exif', 'mime', 'uri ']);
/** References whose source item is not an image of its own: a thumbnail, an auxiliary image, metadata. */
const SUBORDINATE_SOURCE = new Set(['thmb', 'auxl', 'cdsc']);

/** True when the bytes start with an ISOBMFF `ftyp` box (any brand). */
export function isIsoBmff(prefix: Buffer): boolean {
  return prefix.length >= 12 && prefix.toString('latin1', 4, 8) === 'ftyp';
}

/** Parses the header from a prefix of the file; `complete` says no more bytes will come. */
export function readHeifHeader(prefix: Buffer, complete: boolean): HeifHeaderResult {
  try {
    return { kind: 'heif', header: parse(prefix) };
  } catch (error) {
    if (error instanceof Truncated) return complete ? { kind: 'invalid', reason: 'the file ends inside its header' } : { kind: 'need-more' };
    if (error instanceof Invalid) return { kind: 'invalid', reason: error.message };
    throw error;
  }
}

function parse(bytes: Buffer): HeifHeader {
  const top = boxes(bytes, 0, bytes.length, true);
  const ftyp = top.next();
  if (ftyp.done || ftyp.value.type !== 'ftyp') throw new Invalid('no ftyp box');
  const { start, end } = need(bytes, ftyp.value);
  const majorBrand = fourcc(bytes, start);
  const compatibleBrands: string[] = [];
  for (let at = start + 8; at + 4 <= end; at += 4) compatibleBrands.push(fourcc(bytes, at));
  for (const box of top) {
    if (box.type === 'meta') return { majorBrand, compatibleBrands, ...primaryImage(bytes, need(bytes, box)) };
  }
  throw new Truncated(); // no meta box in the bytes seen so far
}

function primaryImage(bytes: Buffer, meta: Box): { codec: string | undefined; width: number; height: number; topLevelImages: number } {
  let primary: number | undefined;
  const itemTypes = new Map<number, string>();
  const hidden = new Set<number>();
  const properties: Box[] = [];
  const associations = new Map<number, number[]>();
  const derivedFrom = new Map<number, number[]>();
  const subordinate = new Set<number>();
  for (const box of boxes(bytes, meta.start + 4, meta.end)) {
    if (box.type === 'pitm') primary = fullBoxVersion(bytes, box) === 0 ? u16(bytes, box.start + 4) : u32(bytes, box.start + 4);
    else if (box.type === 'iinf') readItemInfos(bytes, box, itemTypes, hidden);
    else if (box.type === 'iref') readReferences(bytes, box, derivedFrom, subordinate);
    else if (box.type === 'iprp') {
      for (const child of boxes(bytes, box.start, box.end)) {
        if (child.type === 'ipco') properties.push(...boxes(bytes, child.start, child.end));
        else if (child.type === 'ipma') readAssociations(bytes, child, associations);
      }
    }
  }
  if (primary === undefined) throw new Invalid('no primary item (pitm)');
  const spatialExtent = (associations.get(primary) ?? []).map((index) => properties[index - 1]).find((property) => property?.type === 'ispe');
  if (!spatialExtent || spatialExtent.end - spatialExtent.start < 12) throw new Invalid('the primary image has no size (ispe)');
  const width = u32(bytes, spatialExtent.start + 4);
  const height = u32(bytes, spatialExtent.start + 8);
  if (width === 0 || height === 0) throw new Invalid('the primary image is empty');
  for (const ingredients of derivedFrom.values()) for (const item of ingredients) subordinate.add(item);
  let topLevelImages = 0;
  for (const [item, type] of itemTypes) if (!NOT_IMAGES.has(type) && !hidden.has(item) && !subordinate.has(item)) topLevelImages++;
  return { codec: codecOf(primary, itemTypes, derivedFrom), width, height, topLevelImages };
}

/** Follows derived images (grid of tiles, identity transform, overlay) down to a coded one. */
function codecOf(item: number, itemTypes: Map<number, string>, derivedFrom: Map<number, number[]>): string | undefined {
  let current = item;
  for (let depth = 0; depth < 8; depth++) {
    const type = itemTypes.get(current);
    if (type === undefined || !DERIVED.has(type)) return type;
    const next = derivedFrom.get(current)?.[0];
    if (next === undefined) return type;
    current = next;
  }
  return undefined;
}

function readItemInfos(bytes: Buffer, iinf: Box, itemTypes: Map<number, string>, hidden: Set<number>): void {
  const first = iinf.start + 4 + (fullBoxVersion(bytes, iinf) === 0 ? 2 : 4);
  for (const infe of boxes(bytes, first, iinf.end)) {
    if (infe.type !== 'infe') continue;
    const version = fullBoxVersion(bytes, infe);
    if (version < 2) continue; // versions 0 and 1 predate item types
    const id = version === 2 ? u16(bytes, infe.start + 4) : u32(bytes, infe.start + 4);
    const typeAt = infe.start + 4 + (version === 2 ? 2 : 4) + 2; // item_ID, item_protection_index
    itemTypes.set(id, fourcc(bytes, typeAt));
    if (u32(bytes, infe.start) & 1) hidden.add(id); // flags bit 0: a hidden item, not meant to be shown
  }
}

function readReferences(bytes: Buffer, iref: Box, derivedFrom: Map<number, number[]>, subordinate: Set<number>): void {
  const idSize = fullBoxVersion(bytes, iref) === 0 ? 2 : 4;
  for (const reference of boxes(bytes, iref.start + 4, iref.end)) {
    if (SUBORDINATE_SOURCE.has(reference.type)) subordinate.add(readId(bytes, reference.start, idSize));
    if (reference.type !== 'dimg') continue;
    const from = readId(bytes, reference.start, idSize);
    const count = u16(bytes, reference.start + idSize);
    const to: number[] = [];
    for (let index = 0; index < count; index++) to.push(readId(bytes, reference.start + idSize + 2 + index * idSize, idSize));
    derivedFrom.set(from, to);
  }
}

function readAssociations(bytes: Buffer, ipma: Box, associations: Map<number, number[]>): void {
  const version = fullBoxVersion(bytes, ipma);
  const wideIndex = (u32(bytes, ipma.start) & 1) === 1; // flags bit 0: 15-bit property indices
  let at = ipma.start + 4;
  const entries = u32(bytes, at);
  at += 4;
  for (let entry = 0; entry < entries; entry++) {
    const id = version < 1 ? u16(bytes, at) : u32(bytes, at);
    at += version < 1 ? 2 : 4;
    const count = u8(bytes, at);
    at += 1;
    const indices: number[] = [];
    for (let association = 0; association < count; association++) {
      indices.push(wideIndex ? u16(bytes, at) & 0x7fff : u8(bytes, at) & 0x7f);
      at += wideIndex ? 2 : 1;
    }
    associations.set(id, indices);
  }
}

/** The boxes between `from` and `to`. At the top level the last box may run past the buffer. */
function* boxes(bytes: Buffer, from: number, to: number, topLevel = false): Generator<Box> {
  let at = from;
  while (at < to) {
    if (at + 8 > bytes.length) {
      if (topLevel) throw new Truncated();
      throw new Invalid('a box runs past its parent');
    }
    let size = u32(bytes, at);
    const type = fourcc(bytes, at + 4);
    let header = 8;
    if (size === 1) {
      if (at + 16 > bytes.length) throw new Truncated();
      size = Number(bytes.readBigUInt64BE(at + 8));
      header = 16;
    } else if (size === 0) {
      if (!topLevel) throw new Invalid('a nested box without a size');
      size = Number.MAX_SAFE_INTEGER - at; // runs to the end of the file
    }
    if (size < header) throw new Invalid(`a ${printable(type)} box smaller than its header`);
    const end = at + size;
    if (!topLevel && end > to) throw new Invalid(`a ${printable(type)} box runs past its parent`);
    yield { type, start: at + header, end };
    at = end;
  }
}

/** The box, whole: more bytes are needed when it runs past the buffer. */
function need(bytes: Buffer, box: Box): Box {
  if (box.end > bytes.length) throw new Truncated();
  return box;
}

function fullBoxVersion(bytes: Buffer, box: Box): number {
  return u8(bytes, box.start);
}

function readId(bytes: Buffer, at: number, size: number): number {
  return size === 2 ? u16(bytes, at) : u32(bytes, at);
}

function check(bytes: Buffer, at: number, length: number): void {
  if (at + length > bytes.length) throw new Invalid('a box is shorter than its fields');
}

function u8(bytes: Buffer, at: number): number {
  check(bytes, at, 1);
  return bytes.readUInt8(at);
}

function u16(bytes: Buffer, at: number): number {
  check(bytes, at, 2);
  return bytes.readUInt16BE(at);
}

function u32(bytes: Buffer, at: number): number {
  check(bytes, at, 4);
  return bytes.readUInt32BE(at);
}

function fourcc(bytes: Buffer, at: number): string {
  check(bytes, at, 4);
  return bytes.toString('latin1', at, at + 4);
}

function printable(type: string): string {
  return /^[\x20-\x7e]{4}$/.test(type) ? `'${type}'` : 'malformed';
}
