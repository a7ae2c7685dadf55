/** The sts stack's demo CKAN, driven the way CKAN is: its action API with a user's token, and its test-only sysadmin switch. */
import { expect } from "@playwright/test";

/** Demo CKAN of the sts stack (playwright.config.ts: CKAN_DEMO_PORT = 5151 + port offset). */
export const STS_CKAN_URL = `http://127.0.0.1:${5151 + (Number(process.env.E2E_PORT_BASE ?? 3100) - 3100)}`;

/** POSTs CKAN action `action` with `token`; expects success and returns `result`. */
export async function ckanAction(token: string, action: string, body: Record<string, unknown>): Promise<unknown> {
  const res = await fetch(`${STS_CKAN_URL}/api/3/action/${action}`, { method: "POST", headers: { Authorization: token, "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const json = (await res.json()) as { success: boolean; result?: unknown };
  expect(res.status, `${action}: ${JSON.stringify(json)}`).toBe(200);
  return json.result;
}

/** `GET package_show` as `token`: the dataset's `state`. */
export async function datasetState(token: string, id: string): Promise<string> {
  const res = await fetch(`${STS_CKAN_URL}/api/3/action/package_show?id=${encodeURIComponent(id)}`, { headers: { Authorization: token } });
  return ((await res.json()) as { result: { state: string } }).result.state;
}

/** The stand-in for `ckan sysadmin remove|add NAME` (stack started with CKAN_DEMO_SYSADMIN_CONTROL=1). */
export async function setSysadmin(user: string, sysadmin: boolean): Promise<void> {
  const res = await fetch(`${STS_CKAN_URL}/_demo/sysadmin`, { method: "POST", body: JSON.stringify({ user, sysadmin }) });
  expect(res.status).toBe(204);
}
