/** The variants the processor makes of every photo. */
export type VariantName = 'thumb' | 'preview';

/** Encodings a variant may have; a subset of what `photo.processed.v1` allows. */
export type VariantFormat = 'webp' | 'jpeg';

/**
 * How one variant is made: fit inside a `longEdge` square, never enlarged, encoded as `format` at
 * `quality` (the encoder's 1-100 scale).
 */
export interface VariantSpec {
  readonly name: VariantName;
  readonly format: VariantFormat;
  readonly longEdge: number;
  readonly quality: number;
}

/**
 * The variant definitions. Changing one changes the bytes behind an existing key (see
 * `variantsLayout.variant`), so a change must come with a way to tell old keys from new ones.
 */
export const VARIANT_SPECS: { readonly [N in VariantName]: VariantSpec & { readonly name: N } } = {
  thumb: { name: 'thumb', format: 'webp', longEdge: 320, quality: 75 },
  preview: { name: 'preview', format: 'jpeg', longEdge: 1600, quality: 80 },
};

/** The longest edge any variant needs: the one size the original is decoded to. */
export const LARGEST_VARIANT_EDGE = Math.max(...Object.values(VARIANT_SPECS).map((spec) => spec.longEdge));
