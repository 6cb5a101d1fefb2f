/** The shape of one CLI verb: each verb is one entry of the table in main.ts. */
export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly details: readonly string[];
  /** Other names the verb answers to (bpftool's `list` for `show`...). */
  readonly aliases?: readonly string[];
  /** A group verb (`map`, `prog`, `btf`): the next word picks one of these. */
  readonly subcommands?: readonly Command[];
  run?(argv: string[], out: Output): number | Promise<number>;
}
