/**
 * CASES 28 (issue 10, item 4): CKAN answers with something other than its action API — a maintenance
 * page, an SSO login page, a proxy's 502 page, HTTP 200 with HTML, truncated JSON, JSON without the
 * envelope. Every page says "CKAN at {CKAN_URL} is not answering as a CKAN API (HTTP status, content
 * type)" inside the portal's layout (never Next's generic "This page couldn't load"), every API route
 * answers 502 `ckan_failed` with the same sentence, and no upload session row or audit event changes.
 * The faults stack's demo CKAN takes fault commands (CKAN_DEMO_FAULT_CONTROL=1); "*" = every action.
 */
import { expect, test, type Page } from "@playwright/test";
import { FAULTS_CKAN_PORT } from "../../playwright.config";
import { DEMO_TOKENS, expectNoSeriousA11yViolations, openDb, signIn } from "../support/portal";

const DB_URL = "file:./.tmp/e2e-faults.db";
const CKAN = `http://127.0.0.1:${FAULTS_CKAN_PORT}`;
const notCkan = (status: number, type: string) => `CKAN at ${CKAN} is not answering as a CKAN API (HTTP ${status}, ${type})`;

type Answer = "maintenance-page" | "login-page" | "proxy-page" | "truncated-json" | "json-without-envelope";

/** Every CKAN action answers `answer` with HTTP `status` until clearFaults(). */
async function ckanAnswers(answer: Answer, status: number): Promise<void> {
  const res = await fetch(`${CKAN}/_demo/fail-next`, { method: "POST", body: JSON.stringify({ action: "*", status, count: 1000, answer }) });
  expect(res.status).toBe(204);
}
async function clearFaults(): Promise<void> {
  expect((await fetch(`${CKAN}/_demo/clear-faults`, { method: "POST" })).status).toBe(204);
}
test.afterEach(clearFaults);

/** The page shows the CKAN message in the portal's layout (header and main landmark), with a 5xx status. */
async function expectCkanPage(page: Page, path: string, message: string): Promise<void> {
  const res = await page.goto(path);
  expect(res?.status()).toBe(500);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("CKAN is not available");
  await expect(page.getByRole("main").getByRole("alert")).toHaveText(message);
  await expect(page.getByRole("link", { name: "CKAN upload portal" })).toBeVisible(); // the portal's header
  await expect(page.getByText("This page couldn't load")).toHaveCount(0);
  await expectNoSeriousA11yViolations(page);
}

/** The row and audit trail of `sessionId`, to prove nothing changed. */
function snapshot(sessionId: string) {
  const db = openDb(DB_URL);
  try {
    return {
      row: db.prepare("SELECT status, bytesConfirmed, errorCode, errorMessage, updatedAt FROM UploadSession WHERE id = ?").get(sessionId),
      events: db.prepare("SELECT COUNT(*) AS n FROM AuditEvent WHERE sessionId = ?").get(sessionId),
    };
  } finally {
    db.close();
  }
}

test("pages say CKAN is not answering as its API, in the portal's layout (CASES 28)", async ({ page }) => {
  await signIn(page, DEMO_TOKENS.editor_user);

  await ckanAnswers("maintenance-page", 503);
  await expectCkanPage(page, "/", notCkan(503, "text/html"));
  await clearFaults();

  await ckanAnswers("login-page", 200);
  await expectCkanPage(page, "/datasets/test-dataset/upload", notCkan(200, "text/html"));
  await clearFaults();

  await ckanAnswers("truncated-json", 200);
  await expectCkanPage(page, "/datasets/test-dataset/upload", notCkan(200, "application/json"));

  // Pages that need nothing from CKAN keep working while it is down.
  const uploads = await page.goto("/uploads");
  expect(uploads?.status()).toBe(200);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("My uploads");
  await clearFaults();

  // Back to normal once CKAN answers again ("Try again" re-renders the page).
  await ckanAnswers("proxy-page", 502);
  await expectCkanPage(page, "/datasets/test-dataset/upload", notCkan(502, "text/html"));
  await clearFaults();
  await page.getByRole("button", { name: "Try again" }).click();
  await expect(page.getByRole("heading", { level: 1 })).not.toHaveText("CKAN is not available");
  await expect(page.getByLabel("Choose files")).toBeAttached();
});

test("admin pages keep working while CKAN answers HTML; sign-in names the fault (CASES 28)", async ({ page }) => {
  await signIn(page, DEMO_TOKENS.ckan_admin);
  const headers = { origin: new URL(page.url()).origin };
  const created = await page.request.post("/api/uploads", { headers, data: { datasetId: "test-dataset", fileName: `admin-view-${Date.now()}.csv`, size: 100 } });
  expect(created.status()).toBe(200);
  const { sessionId } = (await created.json()) as { sessionId: string };
  await ckanAnswers("login-page", 200);
  for (const path of ["/admin/uploads", `/admin/uploads/${sessionId}`, "/uploads"]) {
    const res = await page.goto(path);
    // Either the page needs nothing from CKAN (200), or it says CKAN is not answering (never a generic error).
    if (res?.status() === 200) await expect(page.getByRole("heading", { level: 1 })).not.toHaveText("This page could not be shown");
    else await expectCkanPage(page, path, notCkan(200, "text/html"));
  }
  expect((await page.request.post(`/api/uploads/${sessionId}/abort`, { headers })).status()).toBe(200);
  await page.context().clearCookies();
  await page.goto("/login");
  await page.getByLabel("CKAN API token").fill(DEMO_TOKENS.editor_user);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("main").getByRole("alert")).toContainText(notCkan(200, "text/html"));
  await expect(page).toHaveURL(/\/login/);
  await expectNoSeriousA11yViolations(page);
});

test("API routes answer 502 ckan_failed with the same sentence, and the upload session does not change (CASES 28)", async ({ page }) => {
  await signIn(page, DEMO_TOKENS.editor_user);
  const api = page.request;
  const headers = { origin: new URL(page.url()).origin };
  const created = await api.post("/api/uploads", { headers, data: { datasetId: "test-dataset", fileName: `not-ckan-${Date.now()}.csv`, size: 6 * 1024 * 1024 } });
  expect(created.status()).toBe(200);
  const { sessionId } = (await created.json()) as { sessionId: string };
  const before = snapshot(sessionId);

  const cases: Array<[Answer, number, string]> = [
    ["maintenance-page", 503, "text/html"],
    ["login-page", 200, "text/html"],
    ["proxy-page", 502, "text/html"],
    ["truncated-json", 200, "application/json"],
    ["json-without-envelope", 200, "application/json"],
  ];
  for (const [answer, status, type] of cases) {
    await ckanAnswers(answer, status);
    const calls = [
      await api.post("/api/uploads", { headers, data: { datasetId: "test-dataset", fileName: "never.csv", size: 10 } }),
      await api.post(`/api/uploads/${sessionId}/credentials`, { headers }),
      await api.get(`/api/uploads/${sessionId}`),
    ];
    for (const res of calls) {
      expect(res.status(), `${answer}: ${res.url()}`).toBe(502);
      expect(await res.json()).toEqual({ error: { code: "ckan_failed", message: notCkan(status, type) } });
    }
    await clearFaults();
  }
  expect(snapshot(sessionId)).toEqual(before);
  expect((await api.post(`/api/uploads/${sessionId}/abort`, { headers })).status()).toBe(200); // no multipart upload left behind
  const db = openDb(DB_URL);
  try {
    expect(db.prepare("SELECT COUNT(*) AS n FROM UploadSession WHERE fileName = 'never.csv'").get()).toEqual({ n: 0 });
  } finally {
    db.close();
  }
});
