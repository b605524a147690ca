/**
 * Deferred module loading. Deno walks every string-literal `import("…")` when it builds the
 * start-up module graph, so a literal dynamic import still costs a read and a parse on every
 * run. Passing the specifier through here keeps a module out of that graph until it is
 * actually needed: `barn run` reads 30 of barn's modules instead of ~100.
 *
 * `deno compile` does not see these imports either; install/compile_plan.ts passes `--include
 * src` so that the binary embeds every module.
 */
export function lazy<M>(from: string, specifier: string): Promise<M> {
  return import(new URL(specifier, from).href);
}

/** A loader of one named export of a module, which is read only when the loader is called. */
export function lazyExport<T>(from: string, specifier: string, name: string): () => Promise<T> {
  return async () => {
    const value = (await lazy<Record<string, T | undefined>>(from, specifier))[name];
    if (!value) throw new Error(`${specifier} exports no '${name}'`);
    return value;
  };
}
