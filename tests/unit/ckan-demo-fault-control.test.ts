/** The demo CKAN's HTTP fault control (`faultControl`), used by end-to-end tests whose CKAN runs in another process. */
import { afterEach, describe, expect, it } from "vitest";
import { startDemoCkan } from "@/scripts/ckan-demo/server";

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

const status = async (url: string) => (await fetch(`${url}/api/3/action/status_show`)).status;

describe("demo CKAN fault control", () => {
  it("makes the next calls of an action fail when enabled", async () => {
    const ckan = await startDemoCkan({ faultControl: true });
    close = ckan.close;
    const res = await fetch(`${ckan.url}/_demo/fail-next`, { method: "POST", body: JSON.stringify({ action: "status_show", status: 500, count: 2 }) });
    expect(res.status).toBe(204);
    expect([await status(ckan.url), await status(ckan.url), await status(ckan.url)]).toEqual([500, 500, 200]);
  });

  it("answers with a foreign page for any action, refuses unknown answer kinds, and clears pending faults", async () => {
    const ckan = await startDemoCkan({ faultControl: true });
    close = ckan.close;
    const control = (path: string, body: unknown) => fetch(`${ckan.url}${path}`, { method: "POST", body: JSON.stringify(body) });
    expect((await control("/_demo/fail-next", { action: "*", status: 200, answer: "login-page" })).status).toBe(204);
    const page = await fetch(`${ckan.url}/api/3/action/package_show?id=x`);
    expect([page.status, page.headers.get("content-type")]).toEqual([200, "text/html;charset=utf-8"]);
    expect(await page.text()).toContain("/sso/login");
    expect((await control("/_demo/fail-next", { action: "*", status: 200, answer: "teapot" })).status).toBe(400);
    expect((await control("/_demo/fail-next", { action: "status_show", status: 500, count: 5 })).status).toBe(204);
    expect((await control("/_demo/clear-faults", {})).status).toBe(204);
    expect(await status(ckan.url)).toBe(200);
  });

  it("does not exist unless enabled", async () => {
    const ckan = await startDemoCkan();
    close = ckan.close;
    const res = await fetch(`${ckan.url}/_demo/fail-next`, { method: "POST", body: JSON.stringify({ action: "status_show", status: 500 }) });
    expect([404, 405]).toContain(res.status); // the page handler: no such page, or POST not allowed
    expect(await status(ckan.url)).toBe(200);
  });
});
