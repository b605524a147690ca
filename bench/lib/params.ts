/** The bench's sizes and switches, parsed from its flags (`--smoke`, `--jobs=N`, `--only=a,b`, …). */

export interface Params {
  reps: number;
  jobs: number;
  history: number;
  listing: number;
  running: number;
  mediaSeconds: number;
  mb: number;
  capSeconds: number;
}

export interface Options {
  params: Params;
  smoke: boolean;
  /** Rows to run (all when absent). */
  only: string[] | undefined;
  outPath: string;
}

export function parseOptions(argv: string[], defaultOut: string): Options {
  const opt = (name: string, dflt: number) => {
    const a = argv.find((x) => x.startsWith(`--${name}=`));
    return a ? Number(a.split("=")[1]) : dflt;
  };
  const smoke = argv.includes("--smoke");
  const params: Params = {
    reps: opt("reps", smoke ? 1 : 5),
    jobs: opt("jobs", smoke ? 20 : 1000),
    history: opt("history", smoke ? 2000 : 100_000),
    listing: opt("listing", smoke ? 200 : 10_000),
    running: opt("running", smoke ? 20 : 200),
    mediaSeconds: opt("media-seconds", smoke ? 2 : 45),
    mb: opt("mb", smoke ? 5 : 1024),
    capSeconds: opt("cap", smoke ? 90 : 3600),
  };
  return {
    params,
    smoke,
    only: argv.find((x) => x.startsWith("--only="))?.slice(7).split(","),
    outPath: argv.find((x) => x.startsWith("--out="))?.slice(6) ?? defaultOut,
  };
}
