import type { ComponentType } from 'react';
import { Gallery } from './Gallery';
import type { Gallery as GalleryModel } from './use-gallery';

/** The gallery grid's props with selection, as agreed with the grid's rewrite (issue 11). */
export interface SelectableGalleryProps {
  gallery: GalleryModel;
  onOpen: (id: string) => void;
  /** Left out where nothing can be selected (a viewer's album, a share link's page). */
  selection?: ReadonlySet<string>;
  onSelectionChange?: (ids: ReadonlySet<string>) => void;
  title: string;
}

/**
 * The grid, typed with selection. A stopgap while Gallery.tsx is being rewritten with these props: once
 * it declares them, this becomes a plain re-export (and then goes).
 */
export const SelectableGallery = Gallery as ComponentType<SelectableGalleryProps>;
