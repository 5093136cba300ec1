/**
 * Small real file systems for disk-full tests: a tmpfs of a given size mounted on a directory. Mounting needs
 * root (or CAP_SYS_ADMIN); `tmpfsUnavailable` says why it cannot be done here, so a test can be reported as
 * ignored with that reason rather than faked.
 */

/** Runs `command`; null when it succeeded, else why not. */
async function run(command: string, args: string[]): Promise<string | null> {
  try {
    const output = await new Deno.Command(command, { args, stdout: "null", stderr: "piped" }).output();
    return output.success ? null : new TextDecoder().decode(output.stderr).trim() || `${command} failed`;
  } catch (error) {
    return String(error);
  }
}

/** Mounts a tmpfs of `bytes` on `dir`; null when it worked, else why not. */
export async function mountTmpfs(dir: string, bytes: number): Promise<string | null> {
  return await run("mount", ["-t", "tmpfs", "-o", `size=${bytes}`, "tmpfs", dir]);
}

/** Unmounts `dir`, lazily if something still holds it (so a failing test never leaves a mount behind). */
export async function unmountTmpfs(dir: string): Promise<void> {
  if (await run("umount", [dir]) !== null) await run("umount", ["-l", dir]);
}

/** Why a tmpfs cannot be mounted here (tried on a scratch directory), or null when it can. */
export async function tmpfsUnavailable(): Promise<string | null> {
  const dir = await Deno.makeTempDir();
  try {
    const failure = await mountTmpfs(dir, 1024 * 1024);
    if (failure === null) await unmountTmpfs(dir);
    return failure;
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
