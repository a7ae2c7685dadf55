/**
 * Where the command line keeps things (XDG Base Directory Specification 0.8):
 * - config: `$XDG_CONFIG_HOME/ckan-upload/config.json` (default `~/.config`), mode 0600 in a 0700
 *   folder: the portal URL and the CKAN API token stored by `login`;
 * - state: `$XDG_STATE_HOME/ckan-upload/uploads/<fingerprint>.json` (default `~/.local/state`):
 *   one file per unfinished upload, without any token.
 * The token is chosen from `--token-file`, then `CKAN_API_TOKEN`, then the stored login (for that portal).
 */
import { chmod, mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";
import { CliError, EXIT } from "./exit-codes";

/** `$XDG_CONFIG_HOME/ckan-upload` (absolute, else `~/.config/ckan-upload`). */
export function configDir(env = process.env): string {
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(homedir(), ".config");
  return path.join(base, "ckan-upload");
}

/** `$XDG_STATE_HOME/ckan-upload` (absolute, else `~/.local/state/ckan-upload`). */
export function stateDir(env = process.env): string {
  const base = env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : path.join(homedir(), ".local", "state");
  return path.join(base, "ckan-upload");
}

/** What `login` stores. */
export interface StoredLogin {
  portal: string;
  token: string;
}

/** The stored login, or null. @throws CliError (usage) when the file is readable by others. */
export async function readStoredLogin(): Promise<StoredLogin | null> {
  const file = path.join(configDir(), "config.json");
  let text: string;
  try {
    await assertPrivateFile(file);
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  try {
    const j = JSON.parse(text) as Partial<StoredLogin>;
    return typeof j.portal === "string" && typeof j.token === "string" ? { portal: j.portal, token: j.token } : null;
  } catch {
    throw new CliError(`${file} is not valid JSON: run \`ckan-upload login\` again.`, EXIT.usage);
  }
}

/** Stores the login with mode 0600 (folder 0700), replacing the file atomically. */
export async function storeLogin(login: StoredLogin): Promise<string> {
  const dir = configDir();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, "config.json");
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(login, null, 2) + "\n", { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
  return file;
}

/**
 * Refuses a secret file that the group or others may read or write (like ssh does for keys).
 * @throws CliError (usage) naming the file and the fix; ENOENT as is.
 */
export async function assertPrivateFile(file: string): Promise<void> {
  const st = await stat(file);
  if (process.platform !== "win32" && (st.mode & 0o077) !== 0) {
    const mode = (st.mode & 0o777).toString(8).padStart(4, "0");
    throw new CliError(`${file} holds a token but may be read by other users (mode ${mode}). Run: chmod 600 ${file}`, EXIT.usage);
  }
}

/** Reads a token file (first line, trimmed) after the 0600 check. @throws CliError (usage). */
export async function readTokenFile(file: string): Promise<string> {
  try {
    await assertPrivateFile(file);
    const token = (await readFile(file, "utf8")).split(/\r?\n/)[0].trim();
    if (!token) throw new CliError(`The token file ${file} is empty.`, EXIT.usage);
    return token;
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`Cannot read the token file ${file}: ${(err as Error).message}`, EXIT.usage);
  }
}

/** Normalises a portal URL (origin + path, no trailing slash). @throws CliError (usage). */
export function normalisePortal(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CliError(`"${url}" is not a URL: give the portal's address, e.g. https://upload.example.org`, EXIT.usage);
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") throw new CliError(`The portal URL must start with https:// (got ${u.protocol}).`, EXIT.usage);
  return (u.origin + u.pathname).replace(/\/+$/, "");
}

/** Options that choose the portal and token. */
export interface ConnectionOptions {
  portal?: string;
  tokenFile?: string;
}

/**
 * The portal and token to use: `--portal`, else CKAN_UPLOAD_PORTAL, else the stored login; `--token-file`,
 * else CKAN_API_TOKEN, else the stored login's token when it is for the same portal.
 * @throws CliError (usage) when either is missing.
 */
export async function resolveConnection(opts: ConnectionOptions, env = process.env): Promise<{ portal: string; token: string }> {
  const stored = await readStoredLogin();
  const portalRaw = opts.portal ?? env.CKAN_UPLOAD_PORTAL ?? stored?.portal;
  if (!portalRaw) throw new CliError("No portal: run `ckan-upload login <portal-url>`, or pass --portal URL (or set CKAN_UPLOAD_PORTAL).", EXIT.usage);
  const portal = normalisePortal(portalRaw);
  let token: string | undefined;
  if (opts.tokenFile) token = await readTokenFile(opts.tokenFile);
  else if (env.CKAN_API_TOKEN?.trim()) token = env.CKAN_API_TOKEN.trim();
  else if (stored && normalisePortal(stored.portal) === portal) token = stored.token;
  if (!token) throw new CliError(`No CKAN API token for ${portal}: run \`ckan-upload login ${portal}\`, or set CKAN_API_TOKEN, or pass --token-file FILE.`, EXIT.usage);
  return { portal, token };
}
