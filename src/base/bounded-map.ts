/**
 * A Map that forgets its oldest entry once it holds `capacity`: what an isolate
 * caches (key identities, accounts' BYOK key sets) stays bounded however many
 * accounts pass through it. "Oldest" is insertion order; a hit does not refresh
 * an entry, so eviction costs nothing on the read path.
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  set(key: K, value: V): void {
    if (this.entries.size >= this.capacity && !this.entries.has(key)) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, value);
  }

  /** Forgets every entry whose value matches (a scan: for rare events such as a revocation). */
  deleteWhere(matches: (value: V) => boolean): void {
    for (const [key, value] of this.entries) if (matches(value)) this.entries.delete(key);
  }
}
