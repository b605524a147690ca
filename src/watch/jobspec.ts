/** JobSpec version 2: the strict contract of a watch-folder file, and its validation. */

import { excerpt } from "../escape.ts";
import { z } from "zod";
import { basename, extname, isAbsolute, join, resolve } from "../platform/path.ts";
import { PRESET_NAMES, type PresetName, PRESETS } from "./presets.ts";

export const JOBSPEC_VERSION = 2;

const name = z.string().regex(
  /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
  "use letters, digits, . _ - (at most 64)",
);
const path = z.string().min(1).max(4096);

const clip = z.strictObject({
  source: path.describe("the clip to transcode"),
  preset: z.enum(PRESET_NAMES as [PresetName, ...PresetName[]]).describe(
    "one of the documented proxy presets",
  ),
  output: path.optional().describe("the output file; or give output_dir"),
  output_dir: path.optional().describe("a folder for the output, named by `naming`"),
  naming: z.string().min(1).max(256).optional().describe(
    "template for output_dir: {stem} {preset} {ext} {index}",
  ),
}).superRefine((c, ctx) => {
  if ((c.output === undefined) === (c.output_dir === undefined)) {
    ctx.addIssue({ code: "custom", message: "give exactly one of output or output_dir" });
  }
  if (c.naming !== undefined && c.output_dir === undefined) {
    ctx.addIssue({ code: "custom", message: "naming applies only with output_dir" });
  }
});

export const jobSpecSchema = z.strictObject({
  jobspec_version: z.literal(JOBSPEC_VERSION),
  job_id: name,
  clips: z.array(clip).min(1).max(1000),
});

export type JobSpecV2 = z.infer<typeof jobSpecSchema>;
export type ClipSpec = JobSpecV2["clips"][number];

export const DEFAULT_NAMING = "{stem}_{preset}.{ext}";

/** Validation reasons, one per problem, each with the place it is at. */
export function validateJobSpec(raw: unknown): { spec: JobSpecV2 | null; errors: string[] } {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return { spec: null, errors: ["a JobSpec is a JSON object"] };
  }
  const r = raw as Record<string, unknown>;
  if (!("jobspec_version" in r)) {
    return { spec: null, errors: ["missing jobspec_version (this runner reads version 2)"] };
  }
  if (r.jobspec_version !== JOBSPEC_VERSION) {
    return {
      spec: null,
      errors: [
        `jobspec_version ${
          excerpt(JSON.stringify(r.jobspec_version) ?? "")
        } does not match this runner's version ${JOBSPEC_VERSION}`,
      ],
    };
  }
  const parsed = jobSpecSchema.safeParse(raw);
  if (parsed.success) return { spec: parsed.data, errors: [] };
  return {
    spec: null,
    errors: parsed.error.issues.map((i) => {
      const at = i.path.length ? excerpt(i.path.join(".")) : "(top level)";
      if (i.code === "unrecognized_keys") {
        return `unknown field${i.keys.length > 1 ? "s" : ""} at ${at}: ${
          i.keys.map((k) => excerpt(k)).join(", ")
        }`;
      }
      if (i.code === "invalid_value" && i.path[i.path.length - 1] === "preset") {
        return `invalid preset at ${at}: use one of ${PRESET_NAMES.join(", ")}`;
      }
      return `${at}: ${i.message}`;
    }),
  };
}

/** Where each clip's output goes, resolved against the JobSpec's folder for relative paths. */
export function resolveOutput(c: ClipSpec, index: number, base: string): string {
  if (c.output !== undefined) {
    return isAbsolute(c.output) ? resolve(c.output) : resolve(base, c.output);
  }
  const dir = isAbsolute(c.output_dir!) ? c.output_dir! : resolve(base, c.output_dir!);
  const stem = basename(c.source, extname(c.source));
  const fileName = (c.naming ?? DEFAULT_NAMING)
    .replaceAll("{stem}", stem)
    .replaceAll("{preset}", c.preset)
    .replaceAll("{ext}", PRESETS[c.preset].ext)
    .replaceAll("{index}", String(index + 1));
  return resolve(join(dir, fileName));
}

export function resolveSource(c: ClipSpec, base: string): string {
  return isAbsolute(c.source) ? resolve(c.source) : resolve(base, c.source);
}

/** The JSON Schema published as docs/jobspec.schema.json. */
export function jobSpecJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(jobSpecSchema) as unknown as Record<string, unknown> & {
    properties: { clips: { items: Record<string, unknown> } };
  };
  // zod's refinement (exactly one of output/output_dir) has no JSON Schema form of its own.
  schema.properties.clips.items.oneOf = [{ required: ["output"] }, { required: ["output_dir"] }];
  return { $id: "urn:barn:jobspec:2", title: "barn JobSpec, version 2", ...schema };
}
