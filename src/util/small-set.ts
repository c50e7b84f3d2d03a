/**
 * A set for the common case of one member: most connections are in one or two rooms, and a `Set` costs a hash
 * table of a few hundred bytes even for one (measured at 19,000 connections, the session's `Set` and `Map` tables
 * were a tenth of the server's memory per connection). Holds the first member in a field and only makes a `Set`
 * for more. Iterates in insertion order like a `Set`.
 */
export class SmallSet<T> implements Iterable<T> {
  private one: T | undefined;
  private hasOne = false;
  private many?: Set<T>;

  get size(): number {
    return this.many ? this.many.size : this.hasOne ? 1 : 0;
  }

  has(value: T): boolean {
    if (this.many) return this.many.has(value);
    return this.hasOne && this.one === value;
  }

  add(value: T): this {
    if (this.many) this.many.add(value);
    else if (!this.hasOne) {
      this.one = value;
      this.hasOne = true;
    } else if (this.one !== value) {
      this.many = new Set([this.one as T, value]);
      this.one = undefined;
      this.hasOne = false;
    }
    return this;
  }

  delete(value: T): boolean {
    if (this.many) {
      const deleted = this.many.delete(value);
      // Back to one field when one member is left, so that a connection that joined a second room and left it
      // does not keep the table.
      if (this.many.size <= 1) {
        const [last] = this.many;
        this.many = undefined;
        this.hasOne = last !== undefined;
        this.one = last;
      }
      return deleted;
    }
    if (!this.hasOne || this.one !== value) return false;
    this.one = undefined;
    this.hasOne = false;
    return true;
  }

  *[Symbol.iterator](): Iterator<T> {
    if (this.many) yield* this.many;
    else if (this.hasOne) yield this.one as T;
  }
}
