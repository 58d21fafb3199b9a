// The sources a producer key may write: exact names and `prefix*` patterns, `|`-separated
// (`orders-svc|billing-*`), or every source.
const SOURCE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const PREFIX = /^([a-z0-9][a-z0-9._-]{0,62})?\*$/;

export class SourceScope {
  static readonly ALL = new SourceScope(new Set(), [], true);

  private constructor(
    private readonly names: ReadonlySet<string>,
    private readonly prefixes: readonly string[],
    readonly all: boolean,
  ) {}

  static parse(patterns: string): SourceScope {
    const names = new Set<string>();
    const prefixes: string[] = [];
    for (const pattern of patterns.split('|')) {
      if (pattern === '*') return SourceScope.ALL;
      if (SOURCE.test(pattern)) names.add(pattern);
      else if (PREFIX.test(pattern)) prefixes.push(pattern.slice(0, -1));
      else
        throw new Error(
          `source pattern ${JSON.stringify(pattern)} is not a source name or a prefix ending in *`,
        );
    }
    return new SourceScope(names, prefixes, false);
  }

  /** A scope of exactly one source. */
  static only(source: string): SourceScope {
    return new SourceScope(new Set([source]), [], false);
  }

  covers(source: string): boolean {
    return this.all || this.names.has(source) || this.prefixes.some((p) => source.startsWith(p));
  }

  toString(): string {
    return this.all ? '*' : [...this.names, ...this.prefixes.map((p) => `${p}*`)].join('|');
  }
}
