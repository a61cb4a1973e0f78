/**
 * Who listens to which extension: the fan-out looks up an event's extension here instead of
 * scanning every subscriber, so an event costs the number of its listeners, not of all sockets.
 */
export class ExtensionIndex<T> {
  private readonly byExtension = new Map<string, Set<T>>();

  add(item: T, extensions: Iterable<string>): void {
    for (const ext of extensions) {
      let set = this.byExtension.get(ext);
      if (set === undefined) this.byExtension.set(ext, (set = new Set()));
      set.add(item);
    }
  }

  remove(item: T, extensions: Iterable<string>): void {
    for (const ext of extensions) {
      const set = this.byExtension.get(ext);
      set?.delete(item);
      if (set?.size === 0) this.byExtension.delete(ext);
    }
  }

  listeners(extension: string): ReadonlySet<T> | undefined {
    return this.byExtension.get(extension);
  }

  clear(): void {
    this.byExtension.clear();
  }
}
