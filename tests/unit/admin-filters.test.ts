import { describe, expect, it } from "vitest";
import { dateBounds, filterQuery, hasFilter, parseUploadFilter } from "@/lib/admin/filters";
import { sortEvents, summariseTimeline } from "@/lib/admin/detail";

describe("upload filters in the URL", () => {
  it("parses every filter and round-trips it through filterQuery", () => {
    const q = new URLSearchParams("user=editor_user&org=test-org&dataset=test-dataset&status=failed&from=2026-01-01&to=2026-01-31&minSize=10&maxSize=2000&q=report&sort=size&dir=asc&page=3");
    const { filter, invalid } = parseUploadFilter(q);
    expect(invalid).toEqual([]);
    expect(filter).toEqual({ user: "editor_user", org: "test-org", dataset: "test-dataset", status: "failed", from: "2026-01-01", to: "2026-01-31", minSize: 10, maxSize: 2000, q: "report", sort: "size", dir: "asc", page: 3 });
    expect(parseUploadFilter(new URLSearchParams(filterQuery(filter, { page: 3 }).slice(1))).filter).toEqual(filter);
    expect(hasFilter(filter)).toBe(true);
  });

  it("drops blank and malformed values and names the malformed ones", () => {
    const { filter, invalid } = parseUploadFilter({ user: "", status: "bogus", from: "2026-13-45", minSize: "-1", q: "x", page: "0" });
    expect(invalid.sort()).toEqual(["from", "minSize", "page", "status"]);
    // One name per field, however many rules its value breaks.
    expect(parseUploadFilter({ from: "2026-13-45", to: "xx", minSize: "99999999999999999999999" }).invalid.sort()).toEqual(["from", "minSize", "to"]);
    expect(filter).toEqual({ q: "x", sort: "time", dir: "desc", page: 1 });
    expect(hasFilter(parseUploadFilter({}).filter)).toBe(false);
  });

  it("resets the page when the filter or sort changes, and omits defaults", () => {
    const { filter } = parseUploadFilter({ q: "a b", page: "4" });
    expect(filterQuery(filter, { sort: "user" })).toBe("?q=a+b&sort=user");
    expect(filterQuery(filter, { page: 5 })).toBe("?q=a+b&page=5");
    expect(filterQuery(parseUploadFilter({}).filter)).toBe("");
  });

  it("treats the date range as whole UTC days, both inclusive", () => {
    expect(dateBounds({ from: "2026-02-28", to: "2026-02-28" })).toEqual({ gte: new Date("2026-02-28T00:00:00Z"), lt: new Date("2026-03-01T00:00:00Z") });
  });
});

describe("session timeline", () => {
  const at = (ms: number) => new Date(1_800_000_000_000 + ms);
  const ev = (type: string, ms: number, detail: object = {}) => ({ id: `${type}-${ms}`, sessionId: "s", userId: "u", actorName: "editor_user", type, detail: JSON.stringify(detail), requestId: null, createdAt: at(ms) });

  it("orders same-millisecond events by lifecycle and summarises runs of parts.recorded", () => {
    const events = [
      ev("credentials.granted", 0, { accessKeyId: "AK" }),
      ev("session.created", 0),
      ev("parts.recorded", 10, { count: 2, first: 1, last: 2, bytes: 200, bytesConfirmed: 200 }),
      ev("parts.recorded", 20, { count: 3, first: 3, last: 5, bytes: 250, bytesConfirmed: 450 }),
      ev("credentials.granted", 25, { accessKeyId: "AK2" }),
      ev("parts.recorded", 30, { count: 1, first: 6, last: 6, bytes: 50, bytesConfirmed: 500 }),
      ev("session.completed", 40),
      ev("object.stored", 40),
    ];
    expect(sortEvents(events).map((e) => e.type).slice(0, 2)).toEqual(["session.created", "credentials.granted"]);
    const t = summariseTimeline(events);
    expect(t.map((e) => e.type)).toEqual(["session.created", "credentials.granted", "parts.recorded", "credentials.granted", "parts.recorded", "object.stored", "session.completed"]);
    expect(t[2].detail).toEqual({ reports: 2, parts: 5, bytes: 450, firstPart: 1, lastPart: 5, bytesConfirmed: 450 });
    expect(t[2].at).toEqual(at(10));
    expect(t[2].until).toEqual(at(20));
    expect(t[4].detail).toMatchObject({ reports: 1, parts: 1, firstPart: 6 });
  });
});
