/**
 * JSON.parse that keeps every key as written (pure).
 *
 * V8 (Deno 2.9.6, and Node 24-26) decodes an object key that is one escaped character (`"\n"`,
 * `"\""`, `"\u00e9"`) as `\` when an object of the same shape once had the key `"\\"`: one
 * job's `--meta` could change the keys of another's (chromium 521080746, nodejs/node#63785).
 * Text that holds such a key is parsed here instead; everything else goes to JSON.parse.
 */

/** A key that is exactly one escape: the only kind V8 can get wrong. */
const ONE_ESCAPE_KEY = /"\\(?:u[0-9a-fA-F]{4}|[^u])"\s*:/;

/** JSON.parse(text), with the keys V8 can get wrong read correctly; `onNumber` sees each number's literal. */
export function parseJson(
  text: string,
  onNumber?: (literal: string, value: number) => void,
): unknown {
  if (onNumber === undefined && (!text.includes("\\") || !ONE_ESCAPE_KEY.test(text))) {
    return JSON.parse(text);
  }
  return new Parser(text, onNumber).document();
}

const ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

/** The deepest nesting read: V8's own parser is iterative; this one recurses. */
const MAX_DEPTH = 5000;

class Parser {
  #at = 0;

  constructor(
    private readonly text: string,
    private readonly onNumber?: (literal: string, value: number) => void,
  ) {}

  document(): unknown {
    const v = this.#value(0);
    this.#space();
    if (this.#at < this.text.length) this.#fail("unexpected text after the JSON value");
    return v;
  }

  #fail(what: string): never {
    throw new SyntaxError(`${what} at position ${this.#at}`);
  }

  #space(): void {
    const t = this.text;
    while (this.#at < t.length) {
      const c = t[this.#at];
      if (c !== " " && c !== "\t" && c !== "\n" && c !== "\r") return;
      this.#at++;
    }
  }

  #value(depth: number): unknown {
    if (depth > MAX_DEPTH) this.#fail("JSON nested too deeply");
    this.#space();
    const c = this.text[this.#at];
    if (c === "{") return this.#object(depth);
    if (c === "[") return this.#array(depth);
    if (c === '"') return this.#string();
    for (const [word, v] of [["true", true], ["false", false], ["null", null]] as const) {
      if (this.text.startsWith(word, this.#at)) {
        this.#at += word.length;
        return v;
      }
    }
    return this.#number();
  }

  #object(depth: number): Record<string, unknown> {
    const o: Record<string, unknown> = {};
    this.#at++;
    this.#space();
    if (this.text[this.#at] === "}") {
      this.#at++;
      return o;
    }
    for (;;) {
      this.#space();
      if (this.text[this.#at] !== '"') this.#fail("expected a property name");
      const key = this.#string();
      this.#space();
      if (this.text[this.#at] !== ":") this.#fail("expected ':'");
      this.#at++;
      const v = this.#value(depth + 1);
      // As JSON.parse: an own data property, `__proto__` included.
      Object.defineProperty(o, key, {
        value: v,
        writable: true,
        enumerable: true,
        configurable: true,
      });
      this.#space();
      const c = this.text[this.#at++];
      if (c === "}") return o;
      if (c !== ",") this.#fail("expected ',' or '}'");
    }
  }

  #array(depth: number): unknown[] {
    const a: unknown[] = [];
    this.#at++;
    this.#space();
    if (this.text[this.#at] === "]") {
      this.#at++;
      return a;
    }
    for (;;) {
      a.push(this.#value(depth + 1));
      this.#space();
      const c = this.text[this.#at++];
      if (c === "]") return a;
      if (c !== ",") this.#fail("expected ',' or ']'");
    }
  }

  #string(): string {
    const t = this.text;
    let out = "";
    let from = ++this.#at;
    for (;;) {
      if (this.#at >= t.length) this.#fail("unterminated string");
      const c = t.charCodeAt(this.#at);
      if (c === 0x22) {
        out += t.slice(from, this.#at++);
        return out;
      }
      if (c < 0x20) this.#fail("bad control character in string");
      if (c !== 0x5c) {
        this.#at++;
        continue;
      }
      out += t.slice(from, this.#at);
      const e = t[this.#at + 1];
      if (e === "u") {
        const hex = t.slice(this.#at + 2, this.#at + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.#fail("bad \\u escape");
        out += String.fromCharCode(parseInt(hex, 16));
        this.#at += 6;
      } else {
        const r = e === undefined ? undefined : ESCAPES[e];
        if (r === undefined) this.#fail("bad escape");
        out += r;
        this.#at += 2;
      }
      from = this.#at;
    }
  }

  #number(): number {
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = this.#at;
    const found = m.exec(this.text);
    if (found === null) this.#fail("unexpected character");
    this.#at += found[0].length;
    const v = Number(found[0]);
    this.onNumber?.(found[0], v);
    return v;
  }
}
