/**
 * The upload page's rows, the uploader's limits sentence and the admin timeline in the reader's language
 * (issue 12, phase 2): rendered to HTML with next-intl's provider, English reads exactly as it did before
 * the conversion (e2e specs select by it), German and Arabic are the catalogues' words with the locale's
 * numbers; the limits sentence says what PART_TUNING really does (lib/uploader/tuning.ts).
 */
import { createElement } from "react";
import { createTranslator } from "next-intl";
import { describe, expect, it } from "vitest";
import { catalogues, renderIn, uploadItem, type Locale } from "./support/render-intl";
const { en, de, ar } = catalogues;
import { FileRow } from "@/components/uploader/file-row";
import type { UploadItem } from "@/components/uploader/use-upload-queue";
import { SessionTimeline } from "@/components/audit/session-timeline";
import { MAX_TUNED_CONCURRENCY } from "@/lib/uploader/tuning";

const render = renderIn;

const MiB = 1024 * 1024;
const item = (over: Partial<UploadItem>): UploadItem => uploadItem({ progress: { bytesSent: MiB, total: 4 * MiB, percent: 25, speedBps: 12_345_678, etaSeconds: 125 }, ...over });
const noop = () => undefined;
const row = (locale: keyof typeof catalogues, over: Partial<UploadItem>) =>
  render(locale, createElement(FileRow, { item: item(over), onCancel: noop, onPause: noop, onResume: noop, onAcceptResume: noop, onStartOver: noop }));

describe("an upload row", () => {
  it("reads in English exactly as before the conversion", () => {
    const html = row("en", {});
    expect(html).toContain('<span data-testid="status">Uploading</span>');
    expect(html).toContain("<span>1.0 MiB of 4.0 MiB</span>");
    expect(html).toContain('<span data-testid="percent">25.0 %</span>');
    expect(html).toContain('aria-valuetext="25 percent"');
    expect(html).toContain("<span>12.3 MB/s</span><span>2 min 5 s left</span>");
    expect(html).toContain('Pause<span class="sr-only"> <bdi>survey/2026.csv</bdi></span></button>');
    expect(html).toContain('Cancel<span class="sr-only"> <bdi>survey/2026.csv</bdi></span></button>');
    const done = row("en", { state: "completed", resultStatus: "uploaded", ckanResourceUrl: "http://ckan.test/r" });
    expect(done).toContain('<span data-testid="status">Done (stored, not yet registered in CKAN)</span>');
    expect(done).toContain('Open the resource in CKAN<span class="sr-only"> (<bdi>survey/2026.csv</bdi>)</span></a>');
    expect(row("en", { state: "offer" })).toContain('Resume upload<span class="sr-only"> of <bdi>survey/2026.csv</bdi></span>');
  });

  it("is German and Arabic in those languages, with the locale's numbers", () => {
    const html = row("de", { progress: { bytesSent: 1.5 * MiB, total: 4 * MiB, percent: 37.5, speedBps: 12_345_678, etaSeconds: 125 } });
    expect(html).toContain(`<span data-testid="status">${de.fileRow.state.uploading}</span>`);
    expect(html).toContain("<span>1,5 MiB von 4,0 MiB</span>");
    expect(html).toContain('<span data-testid="percent">37,5 %</span>');
    expect(html).toContain('aria-valuetext="38 Prozent"');
    expect(html).toContain("<span>12,3 MB/s</span>");
    expect(html).toContain(`${de.fileRow.pause.split("<")[0]}<span class="sr-only"> <bdi>survey/2026.csv</bdi></span>`);
    const arabic = row("ar", { state: "failed", error: { code: "network", message: "x" } as UploadItem["error"] });
    expect(arabic).toContain(`<span data-testid="status">${ar.fileRow.state.failed}</span>`);
    expect(arabic).toContain(`${ar.fileRow.retry.split("<")[0]}<span class="sr-only"> <bdi>survey/2026.csv</bdi></span>`);
    // Only the catalogue's words: none of the English labels is left.
    const text = (markup: string) => markup.replace(/<[^>]*>/g, " ");
    for (const english of ["Uploading", " of ", "percent", "Pause", "Cancel", "Retry", "left", "Failed"]) {
      expect([english, text(html).includes(english) || text(arabic).includes(english)]).toEqual([english, false]);
    }
  });
});

describe("the uploader's limits sentence says what PART_TUNING does", () => {
  const values = { maxBytes: "5.0 GiB", partSize: "5.0 MiB", concurrency: 4 };
  it("fixed: the exact figures, in the words the page used before", () => {
    const t = createTranslator({ locale: "en", messages: en, namespace: "uploader" });
    expect(t("limitsFixed", values)).toBe("Up to 5.0 GiB per file. Files go straight to storage in 5.0 MiB parts, 4 at a time.");
  });

  it("adaptive: parts start at the configured size and parts in flight, and grow to the link", () => {
    const t = createTranslator({ locale: "en", messages: en, namespace: "uploader" });
    const text = t("limitsAdaptive", { ...values, maxConcurrency: MAX_TUNED_CONCURRENCY, grows: "yes" });
    expect(text).toBe(
      "Up to 5.0 GiB per file. Files go straight to storage in parts of 5.0 MiB or more, tuned to your connection: larger parts for large files, and 4 parts at a time at first, up to 16 while that speeds the upload up.",
    );
    // Configured at or over the tuner's cap: nothing grows, so no "up to".
    expect(t("limitsAdaptive", { ...values, concurrency: 16, maxConcurrency: 16, grows: "no" })).not.toContain("up to 16");
    const tDe = createTranslator({ locale: "de", messages: de, namespace: "uploader" });
    expect(tDe("limitsAdaptive", { ...values, maxConcurrency: 16, grows: "yes" })).toContain("bis zu 16");
  });
});

describe("the admin timeline", () => {
  const at = new Date("2026-11-30T01:02:03.456Z");
  const entries = [
    { type: "session.created", at, until: at, actorName: "editor_user", detail: { packageId: "p1", partSize: 5 * MiB, by: "x" } },
    { type: "parts.recorded", at, until: new Date(at.getTime() + 1000), actorName: null, detail: { reports: 1, parts: 2, bytes: 10 * MiB, firstPart: 1, lastPart: 2, bytesConfirmed: 10 * MiB } },
  ];

  it("English: the labels and figures e2e/sts/admin.spec.ts and screenshots.spec.ts read", () => {
    const html = render("en", createElement(SessionTimeline, { entries, etag: null }));
    expect(html).toContain('aria-label="Audit timeline"');
    expect(html).toContain("<p class=\"font-medium\">Upload started</p>");
    expect(html).toContain("<dt class=\"text-slate-700\">CKAN dataset</dt>");
    expect(html).toContain("<dt class=\"text-slate-700\">Part size</dt><dd class=\"wrap-anywhere\"><bdi>5.0 MiB (5,242,880 bytes)</bdi>");
    expect(html).toContain("<bdi>2 (numbers 1–2) in 1 report</bdi>");
    expect(html).toContain(" · by <bdi>editor_user</bdi>");
    expect(html).toContain('<time dateTime="2026-11-30T01:02:03.456Z">Nov 30, 2026, 01:02:03.456 UTC</time> to <time');
  });

  it("German and Arabic: the catalogues' titles and labels", () => {
    const html = render("de", createElement(SessionTimeline, { entries, etag: null }));
    expect(html).toContain(`aria-label="${de.sessionTimeline.label}"`);
    expect(html).toContain(`>${de.sessionTimeline.event.session_created}</p>`);
    expect(html).toContain(`>${de.sessionTimeline.detail.partSize}</dt><dd class="wrap-anywhere"><bdi>5,0 MiB (5.242.880 Bytes)</bdi>`);
    expect(html).toContain("<bdi>2 (Nummern 1–2) in 1 Meldung</bdi>");
    const arabic = render("ar", createElement(SessionTimeline, { entries, etag: null }));
    expect(arabic).toContain(`>${ar.sessionTimeline.event.parts_recorded}</p>`);
    expect(arabic).toContain(`${ar.sessionTimeline.event.session_created}`);
  });
});
