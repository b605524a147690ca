/**
 * Deferred module loading. Deno walks every string-literal `import("…")` when it builds the
 * start-up module graph, so a literal dynamic import still costs a read and a parse on every
 * run. Passing the specifier through here keeps a module out of that graph until it is
 * actually needed: `barn run` reads 30 of barn's modules instead of ~100.
 *
 * The compiled binary runs a bundle (install/bundle.ts), where each of these calls, always
 * spelled `lazy(import.meta.url, "./x.ts")` or `lazyExport(import.meta.url, "./x.ts", "name")`,
 * becomes a load of the chunk that holds the module, again by a computed URL.
 */
export function lazy<M>(from: string, specifier: string): Promise<M> {
  return import(new URL(specifier, from).href);
}

/**
 * A loader of one named export of a module, which is read only when the loader is called. `load`
 * is the bundle's literal import of the same module, put there by the bundle step.
 */
export function lazyExport<T>(
  from: string,
  specifier: string,
  name: string,
  load: () => Promise<Record<string, T | undefined>> = () => lazy(from, specifier),
): () => Promise<T> {
  return async () => {
    const value = (await load())[name];
    if (!value) throw new Error(`${specifier} exports no '${name}'`);
    return value;
  };
}
