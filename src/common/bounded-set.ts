/**
 * A set that keeps at most `max` values: adding one more forgets the oldest (in insertion order).
 * For what a process remembers to save a lookup, never for what it must not forget.
 */
export class BoundedSet<T> {
  private readonly values = new Set<T>();

  constructor(private readonly max: number) {}

  has(value: T): boolean {
    return this.values.has(value);
  }

  add(value: T): void {
    if (this.values.has(value)) return;
    if (this.values.size >= this.max) this.values.delete(this.values.values().next().value as T);
    this.values.add(value);
  }

  get size(): number {
    return this.values.size;
  }
}
