/**
 * The upload page's notices and errors that were built as English outside the components (issue 12):
 * the queue's notices (another tab, resume off, a file started again), the engine's errors, the
 * signed-out label, the browser-capability notices and the history's stored session errors. The
 * page renders them from catalogue keys and ICU values: English reads exactly as the engine's own
 * message (the CLI prints that; e2e specs select by it), German and Arabic are the catalogues' words.
 */
import { createElement } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { catalogues, renderIn, uploadItem, type Locale } from "./support/render-intl";
const { en, de, ar } = catalogues;
import { FileRow } from "@/components/uploader/file-row";
import type { UploadItem } from "@/components/uploader/use-upload-queue";
import { completionNotice, restartNotice, useUploadTexts } from "@/components/uploader/upload-texts";
import { SessionErrorText } from "@/components/upload-history-table";
import { CAPABILITY_NOTICES, type CapabilityNoticeKey, detectCapabilities } from "@/lib/uploader/capabilities";
import { SIGNED_OUT_MESSAGE } from "@/lib/uploader/fetch-portal-api";
import { MISSING_ETAG_MESSAGE } from "@/lib/uploader/s3-response";
import { corsMessage, corsParams } from "@/lib/uploader/store-probe";
import { refusedMessage, unreadableMessage } from "@/lib/uploader/part-uploader";
import { UploadEngineError } from "@/lib/uploader/errors";
import type { UploadErrorInfo } from "@/lib/uploader";

const render = renderIn;

const MiB = 1024 * 1024;
const item = uploadItem;
const noop = () => undefined;
const row = (locale: Locale, over: Partial<UploadItem>) =>
  render(locale, createElement(FileRow, { item: item(over), onCancel: noop, onPause: noop, onResume: noop, onAcceptResume: noop, onStartOver: noop }));
/** The text of the first element with `marker` in its opening tag (tags removed, entities decoded). */
const textOf = (html: string, marker: string): string => {
  const start = html.indexOf(marker);
  expect(start, `${marker} in ${html}`).toBeGreaterThanOrEqual(0);
  const open = html.lastIndexOf("<", start);
  const tag = html.slice(open + 1).match(/^\w+/)![0];
  const end = html.indexOf(`</${tag}>`, start);
  return html.slice(html.indexOf(">", start) + 1, end).replace(/<[^>]*>/g, "").replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&amp;/g, "&");
};
const failed = (error: UploadErrorInfo) => ({ state: "failed" as const, error });
const info = (e: UploadEngineError): UploadErrorInfo => ({ code: e.code, message: e.message, ...(e.partNumber !== undefined && { partNumber: e.partNumber }), ...(e.params && { params: e.params }) });

/** A component that shows one capability notice through the page's translator. */
function Capability({ k }: { k: CapabilityNoticeKey }) {
  return createElement("p", { "data-testid": "cap" }, useUploadTexts().capability(k));
}

const g = globalThis as { location?: unknown };
afterEach(() => {
  delete g.location;
});

describe("engine errors the catalogue says in full read in English exactly as the engine's message", () => {
  it("cors, with and without a page origin", () => {
    for (const page of [undefined, { origin: "http://127.0.0.1:3101" }]) {
      if (page) g.location = page;
      else delete g.location;
      const url = "http://127.0.0.1:7491/bucket/key?partNumber=3";
      const e = new UploadEngineError("cors", corsMessage(url), { partNumber: 3, params: corsParams(url) });
      expect(textOf(row("en", failed(info(e))), 'role="alert"')).toBe(e.message);
    }
  });

  it("missing_etag, access_denied, file_unreadable (named and not), signed_out", () => {
    const refused = new UploadEngineError("http", "denied", { status: 403, s3Code: "AccessDenied" });
    const cases = [
      new UploadEngineError("missing_etag", MISSING_ETAG_MESSAGE, { partNumber: 2 }),
      new UploadEngineError("access_denied", refusedMessage(refused, 7), { partNumber: 7, params: { part: 7, status: "403", s3Code: "AccessDenied" } }),
      new UploadEngineError("file_unreadable", unreadableMessage("survey/2026.csv"), { params: { name: "survey/2026.csv" } }),
      new UploadEngineError("file_unreadable", unreadableMessage(undefined), { params: { name: "" } }),
      new UploadEngineError("signed_out", SIGNED_OUT_MESSAGE, { status: 401 }),
    ];
    for (const e of cases) expect(textOf(row("en", failed(info(e))), 'role="alert"')).toBe(e.message);
    // The row's label while signed out is the engine's sentence too (e2e/browser/session.spec.ts reads it).
    expect(textOf(row("en", { signedOut: SIGNED_OUT_MESSAGE }), 'data-testid="status"')).toBe(SIGNED_OUT_MESSAGE);
  });

  it("every capability notice, as lib/uploader/capabilities.ts words it for the CLI", async () => {
    for (const k of Object.keys(CAPABILITY_NOTICES) as CapabilityNoticeKey[]) {
      expect(textOf(render("en", createElement(Capability, { k })), 'data-testid="cap"')).toBe(CAPABILITY_NOTICES[k]);
    }
    // The probe's keys and its English lines name the same losses, in the same order.
    const c = await detectCapabilities({});
    expect(c.noticeKeys.map((k) => CAPABILITY_NOTICES[k])).toEqual(c.notices);
    expect(c.noticeKeys).toEqual(["indexedDb", "workers", "webAssembly", "webLocksAndStorage", "broadcastChannel", "cryptoSubtle"]);
  });
});

describe("German and Arabic pages show the catalogues' words", () => {
  const english = ["another tab", "this tab continues", "CORS rule", "Signed out", "different content", "Resume after a reload", "This browser", "can no longer be read"];
  const noEnglish = (html: string) => {
    const text = html.replace(/<bdi>[^<]*<\/bdi>/g, " ").replace(/<[^>]*>/g, " ");
    for (const word of english) expect([word, text.includes(word)]).toEqual([word, false]);
  };

  it("queue notices: another tab, resume off, a changed file started again (name in <bdi>)", () => {
    for (const [locale, m] of [["de", de], ["ar", ar]] as const) {
      const stopped = row(locale, { state: "queued", notice: { key: "otherTabStopped" } });
      expect(textOf(stopped, 'data-testid="notice"')).toBe(m.uploadQueue.notices.otherTabStopped);
      const done = row(locale, { state: "completed", notice: { key: "uploadedElsewhere" } });
      expect(textOf(done, 'data-testid="notice"')).toBe(m.uploadQueue.notices.uploadedElsewhere);
      const off = row(locale, { notice: { key: "resumeOff", values: { reason: "QuotaExceededError" } } });
      expect(textOf(off, 'data-testid="notice"')).toContain("(QuotaExceededError)");
      const engine = new UploadEngineError("file_changed", "English", { partNumber: 2, params: { name: "survey/2026.csv", part: 2 } });
      const changed = row(locale, { state: "queued", notice: restartNotice(info(engine)) });
      expect(changed).toContain("<bdi>survey/2026.csv</bdi>");
      expect(textOf(changed, 'data-testid="notice"')).toContain(m.uploadQueue.notices.restartedChanged.split("{part")[1].split("}")[1].split(".")[0]);
      const ended = row(locale, { state: "queued", notice: { key: "otherTabEnded", values: { status: "expired" } } });
      expect(textOf(ended, 'data-testid="notice"')).toContain(`(${m.uploadStatus.expired})`);
      for (const html of [stopped, done, off, changed, ended]) noEnglish(html);
    }
    // English keeps the words e2e/browser/tabs.spec.ts and e2e/faults/engine.spec.ts select by.
    expect(textOf(row("en", { notice: { key: "otherTabStopped" } }), 'data-testid="notice"')).toContain("this tab continues");
    const en1 = row("en", { notice: restartNotice(info(new UploadEngineError("file_changed", "x", { params: { name: "a.csv", part: 2 } }))) });
    expect(textOf(en1, 'data-testid="notice"')).toMatch(/different content.*not merged into the old upload/);
  });

  it("the completion's draft-dataset notice by its code: the title and CKAN's answer in <bdi>; English reads as the API's sentence", () => {
    const kept = { status: "completed", notice: 'The dataset "Survey 2026" is still a draft in CKAN (hidden from search): finish it in CKAN to publish it.', noticeCode: "draft_kept", noticeValues: { title: "Survey 2026" } };
    const failed = { status: "completed", notice: 'The file is registered, but CKAN did not make the draft dataset "Survey 2026" active (server_error: boom). It stays hidden from search until it is finished in CKAN.', noticeCode: "draft_not_activated", noticeValues: { title: "Survey 2026", error: "server_error: boom" } };
    for (const [locale, m] of [["de", de], ["ar", ar]] as const) {
      const a = row(locale, { state: "completed", notice: completionNotice(kept) });
      expect(a).toContain("<bdi>Survey 2026</bdi>");
      expect(textOf(a, 'data-testid="notice"')).toContain(m.uploadQueue.notices.draftKept.split("</b>")[1].slice(0, 12));
      const b = row(locale, { state: "completed", notice: completionNotice(failed) });
      expect(b).toContain("<bdi>server_error: boom</bdi>");
      expect(textOf(b, 'data-testid="notice"')).not.toContain("registered, but");
    }
    expect(textOf(row("en", { state: "completed", notice: completionNotice(kept) }), 'data-testid="notice"')).toBe(kept.notice);
    expect(textOf(row("en", { state: "completed", notice: completionNotice(failed) }), 'data-testid="notice"')).toBe(failed.notice);
    // An older portal (no code): its English sentence, as data.
    expect(completionNotice({ status: "completed", notice: "Something" })).toEqual({ text: "Something" });
  });

  it("engine errors: cors and file_unreadable with their values, signed out, and the portal's API error by code (its English detail in <bdi>)", () => {
    g.location = { origin: "http://127.0.0.1:3101" };
    const url = "http://127.0.0.1:7491/b/k";
    const cors = info(new UploadEngineError("cors", corsMessage(url), { partNumber: 1, params: corsParams(url) }));
    const unreadable = info(new UploadEngineError("file_unreadable", unreadableMessage("a.csv"), { params: { name: "a.csv" } }));
    const api: UploadErrorInfo = { code: "api", apiCode: "ckan_failed", message: "CKAN answered 500: it does not need to be uploaded again." };
    for (const [locale, m] of [["de", de], ["ar", ar]] as const) {
      const c = row(locale, failed(cors));
      expect(textOf(c, 'role="alert"')).toContain("http://127.0.0.1:7491");
      expect(textOf(c, 'role="alert"')).toContain(m.uploadQueue.errors.cors.split("{store}")[1].split("{page")[0]);
      const u = row(locale, failed(unreadable));
      expect(u).toContain("<bdi>a.csv</bdi>");
      const s = row(locale, { signedOut: SIGNED_OUT_MESSAGE });
      expect(textOf(s, 'data-testid="status"')).toBe(m.uploadQueue.signedOut);
      const a = row(locale, failed(api));
      expect(textOf(a, 'role="alert"')).toContain(m.apiErrors.ckan_failed);
      expect(a).toContain(`<bdi>${api.message}</bdi>`);
      for (const html of [c, u, s]) noEnglish(html);
    }
  });

  it("capability notices", () => {
    for (const [locale, m] of [["de", de], ["ar", ar]] as const) {
      for (const k of Object.keys(CAPABILITY_NOTICES) as CapabilityNoticeKey[]) {
        const html = render(locale, createElement(Capability, { k }));
        expect(textOf(html, 'data-testid="cap"')).toBe(m.uploadQueue.capabilities[k]);
        noEnglish(html);
      }
    }
  });

  it("the history's session error: a stored code is translated; English keeps the stored sentence with its details; an unknown one shows the stored text as data in <bdi>", () => {
    const stored = "No activity for more than 24 hours: the stored parts were deleted.";
    expect(render("en", createElement(SessionErrorText, { code: "expired", message: stored }))).toBe(`<bdi>${stored}</bdi>`);
    expect(render("en", createElement(SessionErrorText, { code: "expired", message: null }))).toBe(en.uploadTable.sessionErrors.expired);
    for (const [locale, m] of [["de", de], ["ar", ar]] as const) {
      expect(render(locale, createElement(SessionErrorText, { code: "expired", message: stored }))).toBe(m.uploadTable.sessionErrors.expired);
      expect(render(locale, createElement(SessionErrorText, { code: "ckan_failed", message: "CKAN said no" }))).toBe(m.uploadTable.sessionErrors.ckan_failed);
      expect(render(locale, createElement(SessionErrorText, { code: "something_new", message: "Stored reason" }))).toBe("<bdi>Stored reason</bdi>");
      expect(render(locale, createElement(SessionErrorText, { code: null, message: "Legacy reason" }))).toBe("<bdi>Legacy reason</bdi>");
    }
  });
});
