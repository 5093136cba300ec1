/** A configuration mistake: names the setting so the process can print one clear line and exit 2. */
export class ConfigError extends Error {
  /** The flag or environment variable at fault, e.g. `--port` or `OBJSTORE_DATA_SHARDS`. */
  readonly setting: string;

  constructor(setting: string, message: string) {
    super(message);
    this.name = "ConfigError";
    this.setting = setting;
  }
}
