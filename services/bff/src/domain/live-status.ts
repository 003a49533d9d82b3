/** A status change pushed to a browser: the event type and the fields of the photo that changed. */
export interface StatusChange {
  type: 'photo.processed' | 'photo.processing-failed' | 'photo.deleted';
  photo: { id: string; status: 'ready' | 'failed' | 'deleted' } & Record<string, unknown>;
}

type Listener = (change: StatusChange) => void;

/**
 * The browsers connected to this BFF replica, by owner. Each replica hears every status event (a live
 * subscription of its own) and pushes it to the connections of that photo's owner only.
 */
export class LiveStatus {
  private readonly listeners = new Map<string, Set<Listener>>();

  /** Registers a connection; returns the function that unregisters it. */
  connect(ownerId: string, listener: Listener): () => void {
    const set = this.listeners.get(ownerId) ?? new Set<Listener>();
    set.add(listener);
    this.listeners.set(ownerId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(ownerId);
    };
  }

  push(ownerId: string, change: StatusChange): void {
    this.listeners.get(ownerId)?.forEach((listener) => listener(change));
  }

  get connections(): number {
    let count = 0;
    this.listeners.forEach((set) => (count += set.size));
    return count;
  }
}
