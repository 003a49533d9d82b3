import { Modal } from './Modal';
import type { LinkTarget } from './share-links';
import { ShareLinks } from './ShareLinks';
import { SharePeople } from './SharePeople';

interface Props {
  target: LinkTarget;
  title: string;
  onClose: () => void;
}

/** Share an album with people (by email) and by link; one photo by link only. */
export function ShareDialog({ target, title, onClose }: Props) {
  return (
    <Modal title={title} onClose={onClose} testId="share-dialog">
      {target.kind === 'album' && <SharePeople albumId={target.id} />}
      <ShareLinks target={target} />
    </Modal>
  );
}
