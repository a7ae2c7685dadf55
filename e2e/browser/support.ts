/** Shared by the "browser" project's specs (issue 10): its stack, its fault proxy, and checks on stored bytes. */
import { expect, type Page } from "@playwright/test";
import { BROWSER_PROXY_PORT } from "../../playwright.config";
import { startFaultProxy, type FaultProxy } from "../../tests/support/fault-proxy";
import { DEMO_TOKENS, newestSession, openDb, signIn } from "../support/portal";
import { objectSha256, rgwClient } from "../support/s3";

export const DB_URL = "file:./.tmp/e2e-browser.db";
export const MiB = 1024 * 1024;
export const baseName = (p: string) => p.split("/").pop()!;

/** Starts this project's fault proxy in front of RGW (the stack hands it to browsers as their S3 endpoint). */
export async function startProxy(): Promise<FaultProxy> {
  if (!process.env.S3_ENDPOINT) throw new Error("S3_ENDPOINT is not set: start Ceph RGW (npm test does)");
  return startFaultProxy({ target: process.env.S3_ENDPOINT, port: BROWSER_PROXY_PORT });
}

/** Signs in as the organization editor and opens the upload page of test-dataset. */
export async function openUploader(page: Page): Promise<void> {
  await signIn(page, DEMO_TOKENS.editor_user);
  await page.goto("/datasets/test-dataset/upload");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Test Dataset");
}

/** Number of parts the portal recorded for the newest session of `fileName`. */
export function recordedParts(fileName: string): number {
  const db = openDb(DB_URL);
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM UploadPart p JOIN UploadSession s ON s.id = p.sessionId WHERE s.fileName = ?`).get(fileName) as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Number of upload sessions of `fileName`. */
export function sessionCount(fileName: string): number {
  const db = openDb(DB_URL);
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM UploadSession WHERE fileName = ?`).get(fileName) as { n: number }).n;
  } finally {
    db.close();
  }
}

/** The newest session of `fileName` is completed and its object in RGW has exactly the file's bytes. */
export async function expectStored(fileName: string, file: { sha256: string; size: number }): Promise<void> {
  const s = newestSession(DB_URL, fileName)!;
  expect(s.status).toBe("COMPLETED");
  expect(await objectSha256(rgwClient(), s.bucket, s.key)).toEqual({ sha256: file.sha256, size: file.size });
}

/** Records every value the upload rows' `data-state` and `data-signed-out` take, in the page (read with {@link seenRowStates}). */
export async function watchRowStates(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __rowStates: string[] };
    w.__rowStates = [];
    const note = () => {
      for (const row of document.querySelectorAll("[data-testid=upload-row]")) {
        const v = `${row.getAttribute("data-state")}${row.getAttribute("data-signed-out") ? "+signed-out" : ""}`;
        if (w.__rowStates[w.__rowStates.length - 1] !== v) w.__rowStates.push(v);
      }
    };
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-state", "data-signed-out"] });
  });
}

export async function seenRowStates(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __rowStates: string[] }).__rowStates);
}

/** Part numbers whose CRC32C the page has kept in IndexedDB for resume. */
export async function keptDigests(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const open = indexedDB.open("ckan-upload-portal");
        open.onerror = () => resolve(0);
        open.onsuccess = () => {
          try {
            const tx = open.result.transaction("resume", "readonly");
            const all = tx.objectStore("resume").getAll();
            all.onsuccess = () => resolve(Math.max(0, ...all.result.map((r: { digests: Record<string, string> }) => Object.keys(r.digests).length)));
            all.onerror = () => resolve(0);
          } catch {
            resolve(0);
          }
        };
      }),
  );
}
