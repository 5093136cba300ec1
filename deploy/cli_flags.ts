/**
 * Parses command-line flags of the form `--name value` or `--name=value` into a plain record.
 * Unknown flags are reported by the config loader, which knows the allowed names.
 */
import { ConfigError } from "./config_error.ts";

/** Flags by name (without the leading dashes). */
export type CliFlags = Record<string, string>;

/**
 * Parses `args` into flags; a bare word or a flag without a value is a `ConfigError`. A flag named in
 * `switches` (a true/false setting) may stand alone, meaning `true`.
 */
export function parseCliFlags(
  args: readonly string[],
  allowed: readonly string[],
  switches: readonly string[] = [],
): CliFlags {
  const flags: CliFlags = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("--")) throw new ConfigError(arg, `Unexpected argument ${JSON.stringify(arg)}`);
    const eq = arg.indexOf("=");
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (!allowed.includes(name)) {
      throw new ConfigError(
        `--${name}`,
        `Unknown flag --${name}; expected one of ${allowed.map((a) => `--${a}`).join(", ")}`,
      );
    }
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else if (switches.includes(name) && (i + 1 === args.length || args[i + 1].startsWith("--"))) {
      value = "true";
    } else value = args[++i];
    if (value === undefined) throw new ConfigError(`--${name}`, `Flag --${name} needs a value`);
    flags[name] = value;
  }
  return flags;
}
