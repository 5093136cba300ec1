/** Configuration and process roles: the one config schema, gateway, worker and the dev cluster. */
export * from "./config.ts";
export * from "./config_error.ts";
export * from "./gateway_process.ts";
export * from "./worker_process.ts";
export * from "./dev_cluster.ts";
export * from "./stop_signals.ts";
export * from "./admin_command.ts";
export * from "./runtime_flags.ts";
