/**
 * `ckan-upload`: the command-line client of ckan-upload-portal (docs/command-line.md).
 * Parses the command line (commander), chooses portal and token, and runs login / put / status / resume.
 */
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { Command, CommanderError, Option, InvalidArgumentError } from "commander";
import type { FileUpload } from "@/lib/uploader/file-upload";
import { UploadEngineError } from "@/lib/uploader/errors";
import { certificateAdvice, certificateProblem, createNodeDispatcher } from "@/lib/uploader/node/transport";
import { normalisePortal, readTokenFile, resolveConnection, storeLogin } from "./config";
import { CliError, EXIT } from "./exit-codes";
import { createPortal, describeCause, exitCodeFor, isUnreachable, type Portal } from "./portal";
import { applyPerFileFlags, readManifest, type PerFileFlags } from "./manifest";
import { putOne, type EngineSettings, type Interrupt, type PutItem } from "./put";
import { createGate, createPartSlots } from "@/lib/uploader/part-slots";
import { createPartTuner, tuneSharedSlots } from "@/lib/uploader/tuning";
import { DEFAULT_FILES_IN_FLIGHT, DEFAULT_SESSION_STARTS } from "@/lib/uploader/file-queue";
import { runPool } from "@/lib/uploader/pool";
import { createReporter, formatSize, type FileResult, type Reporter } from "./reporter";
import { listStates } from "./state";

declare const CLI_VERSION: string | undefined;
const VERSION = typeof CLI_VERSION === "string" ? CLI_VERSION : "0.0.0-dev";

interface GlobalOpts {
  portal?: string;
  tokenFile?: string;
  json?: boolean;
  progress?: boolean;
  quiet?: boolean;
  outageTolerance: number;
}

const positiveInt = (what: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${what} must be a whole number ≥ 1.`);
  return n;
};
const nonNegative = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError("must be a number of seconds ≥ 0.");
  return n;
};

/** commander: a repeatable option collected in order. */
const collect = (v: string, acc: string[]) => [...acc, v];

/** Reads a line without echoing it (the token prompt). Needs a TTY. */
async function promptHidden(question: string): Promise<string> {
  if (!process.stdin.isTTY) throw new CliError("No terminal to ask for the token: set CKAN_API_TOKEN or pass --token-file FILE.", EXIT.usage);
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const out = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WritableStream };
  let prompted = false;
  out._writeToOutput = (s: string) => {
    if (!prompted) {
      process.stderr.write(s);
      prompted = true;
    } else if (s.includes("\n") || s.includes("\r")) process.stderr.write("\n");
  };
  try {
    return await new Promise<string>((resolve) => rl.question(question, resolve));
  } finally {
    rl.close();
  }
}

/**
 * Checks that the portal answers and accepts the token (`GET /api/uploads?limit=1`). While nothing
 * answers, waits (back-off up to 5 s) for `toleranceSeconds`, then exits 4.
 * @throws CliError 3 (token refused, with the portal's words for CKAN's answer), 4 (unreachable; or at once, an
 *   untrusted TLS certificate: no wait, the message names the problem and NODE_EXTRA_CA_CERTS).
 */
async function checkPortal(portal: Portal, toleranceSeconds: number, reporter: Reporter): Promise<void> {
  const deadline = Date.now() + toleranceSeconds * 1000;
  for (let attempt = 1; ; attempt++) {
    try {
      await portal.listUploads({ limit: "1" });
      return;
    } catch (err) {
      if (err instanceof UploadEngineError && err.code === "api" && err.status === 401) {
        throw new CliError(`The portal refused the token: ${err.message}`, EXIT.auth);
      }
      // An untrusted certificate is no outage: waiting cannot fix it (issue 13, NODE_EXTRA_CA_CERTS).
      const certificate = certificateProblem(err);
      if (certificate) throw new CliError(certificateAdvice(`The portal ${portal.baseUrl}`, certificate), EXIT.unreachable);
      if (!isUnreachable(err) && !(err instanceof UploadEngineError && err.retryable)) throw new CliError((err as Error).message, exitCodeFor(err));
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new CliError(`The portal ${portal.baseUrl} could not be reached for ${toleranceSeconds} s: ${(err as Error).message}`, EXIT.unreachable);
      }
      const wait = Math.min(left, 5000, 250 * 2 ** Math.min(attempt, 5));
      reporter.event({ event: "waiting", message: `The portal ${portal.baseUrl} does not answer (${describeCause(err)}); trying again for ${Math.ceil(left / 1000)} s more.`, secondsLeft: Math.ceil(left / 1000) });
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/** Expands the command line's files: plain files as given; folders with --recursive, named by their path relative to the folder. */
async function expandFiles(args: string[], recursive: boolean): Promise<PutItem[]> {
  const items: PutItem[] = [];
  for (const arg of args) {
    let st;
    try {
      st = await stat(arg);
    } catch (err) {
      throw new CliError(`Cannot read ${arg}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or folder" : (err as Error).message}`, EXIT.usage);
    }
    if (st.isFile()) items.push({ path: arg, name: path.basename(arg) });
    else if (st.isDirectory()) {
      if (!recursive) throw new CliError(`${arg} is a folder: pass --recursive to upload every file in it.`, EXIT.usage);
      const root = path.resolve(arg);
      const walk = async (dir: string): Promise<void> => {
        const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
        for (const e of entries) {
          const full = path.join(dir, e.name);
          if (e.isDirectory()) await walk(full);
          else if (e.isFile()) items.push({ path: path.join(arg, path.relative(root, full)), name: path.relative(root, full).split(path.sep).join("/") });
        }
      };
      await walk(root);
    } else throw new CliError(`${arg} is neither a file nor a folder.`, EXIT.usage);
  }
  if (items.length === 0) throw new CliError("No files to upload.", EXIT.usage);
  return items;
}

/** Ctrl-C: the first pauses (in-flight parts aborted, state saved); the second exits at once. */
function installInterrupt(reporter: Reporter): Interrupt & { dispose(): void } {
  let requested = false;
  const running = new Set<FileUpload>();
  const onSignal = (signal: NodeJS.Signals) => {
    if (requested) {
      reporter.stop();
      process.stderr.write("\nStopped at once. Parts already stored are kept: run the same put (or `ckan-upload resume`) to continue.\n");
      process.exit(EXIT.interrupted);
    }
    requested = true;
    process.stderr.write(`\n${signal}: pausing (parts in flight are aborted, the state is saved). Press Ctrl-C again to exit at once.\n`);
    for (const u of running) u.pause();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGHUP", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    get requested() {
      return requested;
    },
    add(u) {
      running.add(u);
      if (requested) u.pause();
    },
    remove(u) {
      running.delete(u);
    },
    dispose() {
      process.off("SIGINT", onSignal);
      process.off("SIGHUP", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

/**
 * Uploads `items` into `dataset`, `filesInFlight` at a time (in the given order), their parts sharing
 * one pool of `concurrency` slots; prints the summary; returns the exit code.
 */
async function runPut(g: GlobalOpts, dataset: string, items: PutItem[], settings: Omit<EngineSettings, "outageToleranceMs" | "slots" | "tuner" | "sessionGate"> & { filesInFlight?: number }, resumeHint: string): Promise<number> {
  const reporter = createReporter({ json: !!g.json, progress: g.progress ?? !!process.stderr.isTTY, quiet: !!g.quiet });
  const { portal: baseUrl, token } = await resolveConnection(g);
  const dispatcher = createNodeDispatcher();
  const portal = createPortal(baseUrl, token, dispatcher);
  const started = Date.now();
  await checkPortal(portal, g.outageTolerance, reporter);
  const interrupt = installInterrupt(reporter);
  const slotted = items.map((item, index) => ({ item, index }));
  const byIndex: Array<FileResult | undefined> = [];
  const { filesInFlight, ...engine } = settings;
  const slots = createPartSlots({ limit: settings.concurrency ?? 4 });
  // One tuner for the whole run (issue 11): the shared slots follow its parts in flight.
  const tuner = tuneSharedSlots(createPartTuner({ mode: "adaptive", concurrency: settings.concurrency ?? 4 }), slots);
  const shared = { slots, tuner, sessionGate: createGate(DEFAULT_SESSION_STARTS) };
  let refused = false;
  try {
    await runPool(slotted, async ({ item, index }) => {
      // A refused token or missing permission is the same for every file: stop instead of failing each.
      if (refused) return;
      if (interrupt.requested) {
        byIndex[index] = { file: item.path, name: item.name, status: "paused", size: 0, seconds: 0 };
        return;
      }
      const r = await putOne(portal, dispatcher, dataset, item, { ...engine, ...shared, outageToleranceMs: g.outageTolerance * 1000 }, reporter, interrupt);
      byIndex[index] = r;
      reporter.fileEnd(r);
      if (r.status === "failed" && r.exitCode === EXIT.auth) refused = true;
    }, { concurrency: filesInFlight ?? DEFAULT_FILES_IN_FLIGHT });
  } finally {
    interrupt.dispose();
  }
  const results = byIndex.filter((r): r is FileResult => r !== undefined);
  const failures = results.filter((r) => r.status === "failed");
  const paused = results.filter((r) => r.status === "paused").length;
  const codes = failures.map((f) => f.exitCode ?? EXIT.someFailed);
  const exitCode = paused ? EXIT.interrupted : codes.includes(EXIT.auth) ? EXIT.auth : failures.length && codes.every((c) => c === EXIT.unreachable) ? EXIT.unreachable : failures.length ? EXIT.someFailed : EXIT.ok;
  reporter.summary({
    files: items.length,
    completed: results.filter((r) => r.status === "completed").length,
    failed: failures.length,
    paused,
    bytes: results.filter((r) => r.status === "completed").reduce((a, r) => a + r.size, 0),
    seconds: (Date.now() - started) / 1000,
    exitCode,
    failures,
  });
  if (paused) process.stderr.write(`Paused. To continue, run the same command again (${resumeHint}), or: ckan-upload resume\n`);
  await dispatcher.close().catch(() => undefined);
  return exitCode;
}

function globals(cmd: Command): GlobalOpts {
  return cmd.optsWithGlobals() as GlobalOpts;
}

/** Builds the program (exported for tests). `setExit` receives the exit code of an action. */
export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command();
  program
    .name("ckan-upload")
    .description(
      "Upload large files into a CKAN dataset through a ckan-upload-portal: straight to the object store as an S3 multipart upload, " +
        "registered as CKAN resources. Interrupted uploads continue where they stopped (run the same put again).",
    )
    .version(VERSION)
    .addOption(new Option("--portal <url>", "portal address (default: CKAN_UPLOAD_PORTAL, else the one from `login`)").env("CKAN_UPLOAD_PORTAL"))
    .option("--token-file <file>", "read the CKAN API token from this file (must be mode 0600); default: CKAN_API_TOKEN, else the one from `login`")
    .option("--json", "print one JSON event per line on stdout (for scripts)")
    .option("--progress", "draw progress bars even when stderr is not a terminal")
    .option("--no-progress", "never draw progress bars")
    .option("-q, --quiet", "print only errors and the summary")
    .option("--outage-tolerance <seconds>", "how long an unreachable portal or store is waited for before giving up (exit 4)", nonNegative, 300)
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .addHelpText(
      "after",
      `
Token: never pass it as an argument (other users could see it in the process list). Use \`login\`
(hidden prompt, stored with mode 0600), CKAN_API_TOKEN, or --token-file FILE (mode 0600).
The portal receives it as "Authorization: Bearer <token>" and checks it with CKAN.

Exit codes: 0 all done; 1 some files failed (each is named); 2 usage error; 3 token refused,
no permission on the dataset, or unknown dataset; 4 portal or store unreachable; 130 paused (Ctrl-C).

Proxies: HTTPS_PROXY / HTTP_PROXY / NO_PROXY are honoured. A private CA: NODE_EXTRA_CA_CERTS=/path/ca.pem.
Files: login in $XDG_CONFIG_HOME/ckan-upload (~/.config), resume state in $XDG_STATE_HOME/ckan-upload (~/.local/state).
Docs: docs/command-line.md`,
    );

  program
    .command("login")
    .description("check a CKAN API token with the portal and store portal + token (mode 0600) for later commands")
    .argument("<portal-url>", "the portal's address, e.g. https://upload.example.org")
    .option("--no-store", "only check the token; store nothing")
    .addHelpText("after", "\nThe token is asked for without echo, or read from CKAN_API_TOKEN or --token-file.")
    .action(async (portalUrl: string, opts: { store: boolean }, cmd: Command) => {
      const g = globals(cmd);
      const reporter = createReporter({ json: !!g.json, progress: false, quiet: !!g.quiet });
      const portalBase = normalisePortal(portalUrl);
      const token = g.tokenFile ? await readTokenFile(g.tokenFile) : process.env.CKAN_API_TOKEN?.trim() || (await promptHidden("CKAN API token (from your CKAN profile's API Tokens page): ")).trim();
      if (!token) throw new CliError("No token given.", EXIT.usage);
      const dispatcher = createNodeDispatcher();
      const portal = createPortal(portalBase, token, dispatcher);
      await checkPortal(portal, g.outageTolerance, reporter);
      await dispatcher.close().catch(() => undefined);
      let where: string | null = null;
      if (opts.store) where = await storeLogin({ portal: portalBase, token });
      reporter.event({ event: "login", portal: portalBase, stored: where !== null, ...(where && { file: where }) });
      if (!g.json) process.stderr.write(`The portal ${portalBase} accepted the token.${where ? ` Stored in ${where} (mode 0600).` : " Nothing was stored."}\n`);
      setExit(EXIT.ok);
    });

  program
    .command("put")
    .description("upload files into a CKAN dataset, one resource per file (resumes interrupted uploads of the same files)")
    .argument("<dataset>", "CKAN dataset name or id")
    .argument("<files...>", "files, or folders with --recursive")
    .option("-r, --recursive", "upload every file in the given folders; resource names are their paths relative to the folder")
    .option("--name <name>", "resource name for the file at the same position (repeat once per file, in order; default the file name)", collect, [] as string[])
    .option("--description <text>", "resource description for the file at the same position (repeat once per file, in order; default none)", collect, [] as string[])
    .option("--format <format>", "resource format for the file at the same position, e.g. CSV (repeat once per file, in order; default guessed from the file)", collect, [] as string[])
    .option("--manifest <file>", "CSV (header path,name,description,format) or JSON list [{path, name, description, format}] of files and their resource fields; paths relative to the manifest")
    .option("--replace <resource-id>", "replace the file of this CKAN resource of the dataset (one file only): the resource keeps its id, its URL, size and hash become the new file's")
    .option("--replace-external", "with --replace: go ahead when the resource's file was not stored by this portal (its URL then points to the new upload; the old file is left alone)")
    .option("--concurrency <parts>", "parts in flight in total, shared by the files in flight (default 4)", positiveInt("--concurrency"))
    .option("--files-in-flight <n>", `files uploading at once, their parts sharing the --concurrency slots (default ${DEFAULT_FILES_IN_FLIGHT}; 1 = one after another)`, positiveInt("--files-in-flight"))
    .option("--part-size <MiB>", "preferred part size in MiB (the portal decides; default the portal's)", positiveInt("--part-size"))
    .option("--stall-timeout <seconds>", "abort and retry a part request with no progress for this long (default 60)", positiveInt("--stall-timeout"))
    .option("--fresh", "start new uploads even where an interrupted upload of the same file could be resumed")
    .action(async (dataset: string, files: string[], opts: PerFileFlags & { recursive?: boolean; manifest?: string; concurrency?: number; filesInFlight?: number; partSize?: number; stallTimeout?: number; fresh?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      let items: PutItem[];
      if (opts.manifest) {
        items = await readManifest(opts.manifest);
        items.push(...(files.length ? await expandFiles(files, !!opts.recursive) : []));
      } else items = await expandFiles(files, !!opts.recursive);
      applyPerFileFlags(items, opts);
      const hint = `ckan-upload ${process.argv.slice(2).filter((a) => a !== "--fresh").join(" ")}`;
      setExit(
        await runPut(g, dataset, items, {
          concurrency: opts.concurrency,
          filesInFlight: opts.filesInFlight,
          partSize: opts.partSize ? opts.partSize * 1024 * 1024 : undefined,
          stallTimeoutMs: opts.stallTimeout ? opts.stallTimeout * 1000 : undefined,
          fresh: !!opts.fresh,
        }, hint),
      );
    });

  program
    .command("status")
    .description("your recent uploads on the portal (as on its /uploads page), or one upload in detail")
    .argument("[session-id]", "one upload session")
    .option("--dataset <dataset>", "only this dataset")
    .option("--limit <n>", "how many (default 20, at most 200)", positiveInt("--limit"), 20)
    .action(async (sessionId: string | undefined, opts: { dataset?: string; limit: number }, cmd: Command) => {
      const g = globals(cmd);
      const { portal: baseUrl, token } = await resolveConnection(g);
      const dispatcher = createNodeDispatcher();
      const portal = createPortal(baseUrl, token, dispatcher);
      try {
        const rows = sessionId
          ? [await portal.getUpload(sessionId)]
          : await portal.listUploads({ limit: String(Math.min(200, opts.limit)), ...(opts.dataset && { datasetId: opts.dataset }) });
        const local = new Map((await listStates()).map((s) => [s.sessionId, s]));
        if (g.json) {
          for (const r of rows) process.stdout.write(JSON.stringify({ event: "upload", ...r, recordedParts: undefined, localPath: local.get(r.sessionId)?.path ?? null }) + "\n");
        } else if (rows.length === 0) process.stdout.write("No uploads yet.\n");
        else {
          for (const r of rows) {
            const pct = r.size ? Math.floor((r.bytesConfirmed / r.size) * 100) : 100;
            const lp = local.get(r.sessionId)?.path;
            process.stdout.write(
              `${r.sessionId}  ${r.status.padEnd(10)} ${String(pct).padStart(3)}%  ${formatSize(r.size).padStart(10)}  ${r.datasetName}/${r.fileName}  ${r.createdAt.slice(0, 19).replace("T", " ")}` +
                `${r.ckanResourceUrl ? `  ${r.ckanResourceUrl}` : ""}${r.error ? `  (${r.error.message})` : ""}${lp ? `  [local: ${lp}]` : ""}\n`,
            );
          }
        }
        setExit(EXIT.ok);
      } catch (err) {
        throw new CliError((err as Error).message, exitCodeFor(err));
      } finally {
        await dispatcher.close().catch(() => undefined);
      }
    });

  program
    .command("resume")
    .description("continue interrupted uploads from this machine (all of them, or one session); same as running the same put again")
    .argument("[session-id]", "one upload session")
    .action(async (sessionId: string | undefined, _opts: unknown, cmd: Command) => {
      const g = globals(cmd);
      const { portal } = await resolveConnection(g);
      const states = (await listStates()).filter((s) => s.portal === portal && (!sessionId || s.sessionId === sessionId));
      if (states.length === 0) {
        throw new CliError(
          sessionId
            ? `No local file is known for upload ${sessionId} on this machine. Run the put command again with that file: the portal's record of the upload is found by name, size and modification time.`
            : "Nothing to resume on this machine.",
          sessionId ? EXIT.usage : EXIT.ok,
        );
      }
      let code: number = EXIT.ok;
      const byDataset = new Map<string, PutItem[]>();
      for (const s of states) byDataset.set(s.datasetId, [...(byDataset.get(s.datasetId) ?? []), { path: s.path, name: s.name }]);
      for (const [dataset, items] of byDataset) {
        const c = await runPut(g, dataset, items, {}, `ckan-upload resume${sessionId ? ` ${sessionId}` : ""}`);
        if (c !== EXIT.ok) code = c;
        if (c === EXIT.interrupted) break;
      }
      setExit(code);
    });
  return program;
}

/** Runs the command line; resolves with the exit code. */
export async function main(argv = process.argv): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") return EXIT.ok;
      return EXIT.usage;
    }
    if (err instanceof CliError) {
      if (err.message && !(err.exitCode === EXIT.ok)) {
        if (process.argv.includes("--json")) process.stdout.write(JSON.stringify({ event: "error", message: err.message, exitCode: err.exitCode, time: new Date().toISOString() }) + "\n");
        process.stderr.write(`ckan-upload: ${err.message}\n`);
      } else if (err.message) process.stderr.write(`${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`ckan-upload: ${(err as Error)?.stack ?? String(err)}\n`);
    return EXIT.someFailed;
  }
}

void main().then((code) => {
  process.exitCode = code;
  // Open handles (keep-alive sockets, timers of an aborted retry) must not keep a finished command alive.
  setImmediate(() => process.exit(code));
});
