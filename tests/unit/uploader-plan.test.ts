import { describe, expect, it } from "vitest";
import { UploadEngineError } from "@/lib/uploader/errors";
import { GiB, MAX_OBJECT_SIZE, MAX_PARTS, MAX_PART_SIZE, MIN_PART_SIZE, MiB, TiB } from "@/lib/uploader/limits";
import { type PartPlan, checkPlan, partRange, parts, planParts } from "@/lib/uploader/plan";

/** Checks every invariant of a plan by walking all its parts. */
function expectValidPlan(plan: PartPlan, size: number) {
  expect(plan.size).toBe(size);
  expect(plan.partCount).toBeLessThanOrEqual(MAX_PARTS);
  expect(plan.partSize).toBeGreaterThanOrEqual(MIN_PART_SIZE);
  expect(plan.partSize).toBeLessThanOrEqual(MAX_PART_SIZE);
  expect(plan.partSize % MiB).toBe(0);
  let expectedStart = 0;
  let count = 0;
  for (const r of parts(plan)) {
    count++;
    expect(r.partNumber).toBe(count);
    expect(r.start).toBe(expectedStart);
    expect(Number.isSafeInteger(r.end)).toBe(true);
    const len = r.end - r.start;
    expect(len).toBeGreaterThan(0);
    if (r.partNumber < plan.partCount) expect(len).toBe(plan.partSize);
    else expect(len).toBeLessThanOrEqual(plan.partSize);
    expectedStart = r.end;
  }
  expect(count).toBe(plan.partCount);
  expect(expectedStart).toBe(size); // covers exactly [0, size)
}

function expectError(fn: () => unknown, code: string): UploadEngineError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UploadEngineError);
    expect((error as UploadEngineError).code).toBe(code);
    return error as UploadEngineError;
  }
  throw new Error(`expected an UploadEngineError ${code}`);
}

describe("planParts: small files (CASES 1)", () => {
  it("plans 0 bytes as no parts (the portal stores it without a multipart upload)", () => {
    const plan = planParts(0);
    expect(plan).toEqual({ size: 0, partSize: MIN_PART_SIZE, partCount: 0 });
    expect([...parts(plan)]).toEqual([]);
  });

  it.each([
    [1, 1],
    [5 * MiB - 1, 1],
    [5 * MiB, 1],
    [5 * MiB + 1, 2],
    [10 * MiB, 2],
    [3 * 5 * MiB + 1, 4], // one byte over a whole number of parts
  ])("size %i → %i parts of 5 MiB", (size, count) => {
    const plan = planParts(size);
    expect(plan.partSize).toBe(5 * MiB);
    expect(plan.partCount).toBe(count);
    expectValidPlan(plan, size);
  });

  it("gives the one-byte-over part exactly one byte", () => {
    const plan = planParts(2 * 5 * MiB + 1);
    expect(partRange(plan, 3)).toEqual({ partNumber: 3, start: 10 * MiB, end: 10 * MiB + 1 });
  });
});

describe("planParts: sizes around 32-bit limits and tens of GiB (CASES 2)", () => {
  it.each([2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 6 * GiB, 12 * GiB, 27 * GiB])(
    "size %i is multipart with contiguous parts and no overflow",
    (size) => {
      const plan = planParts(size);
      expect(plan.partCount).toBeGreaterThan(1);
      expectValidPlan(plan, size);
      const last = partRange(plan, plan.partCount);
      expect(last.end).toBe(size); // would be wrong with 32-bit arithmetic
    },
  );

  it("keeps 5 MiB parts up to 10,000 parts, then grows by whole MiB", () => {
    expect(planParts(27 * GiB).partSize).toBe(5 * MiB); // 5,530 parts
    expect(planParts(10_000 * 5 * MiB).partCount).toBe(10_000);
    const over = planParts(10_000 * 5 * MiB + 1);
    expect(over.partSize).toBe(6 * MiB);
    expect(over.partCount).toBeLessThanOrEqual(MAX_PARTS);
  });
});

describe("planParts: never 10,001 parts (CASES 3)", () => {
  const partSizes = [5 * MiB + 1, 6 * MiB, 7 * MiB + 12_345, 100 * MiB - 1, 1 * GiB + 7, 5 * GiB - 1];
  for (const p of partSizes) {
    for (const r of [1, 2, Math.floor(p / 2), p - 1, p]) {
      const size = 10_000 * p + r;
      if (size > MAX_OBJECT_SIZE) continue;
      it(`size 10,000 × ${p} + ${r}`, () => {
        const plan = planParts(size);
        expect(plan.partCount).toBeLessThanOrEqual(MAX_PARTS);
        expect(plan.partSize * plan.partCount).toBeGreaterThanOrEqual(size);
        expect(plan.partSize * (plan.partCount - 1)).toBeLessThan(size);
        const last = partRange(plan, plan.partCount);
        expect(last.end).toBe(size);
        expect(last.end - last.start).toBeGreaterThan(0);
      });
    }
  }

  it("walks a full 10,000-part plan", () => {
    const size = 10_000 * (7 * MiB) + 3;
    const plan = planParts(size);
    expect(plan.partCount).toBeLessThanOrEqual(MAX_PARTS);
    expectValidPlan(plan, size);
  });
});

describe("planParts: the 48.8 TiB limit (CASES 4)", () => {
  it("plans exactly 10,000 × 5 GiB as 10,000 parts of 5 GiB", () => {
    expect(MAX_OBJECT_SIZE).toBe(53_687_091_200_000);
    expect(MAX_OBJECT_SIZE / TiB).toBeCloseTo(48.83, 2);
    const plan = planParts(MAX_OBJECT_SIZE);
    expect(plan.partSize).toBe(5 * GiB);
    expect(plan.partCount).toBe(10_000);
    expect(partRange(plan, 10_000)).toEqual({ partNumber: 10_000, start: 9_999 * 5 * GiB, end: MAX_OBJECT_SIZE });
  });

  it("refuses one byte more with too_large and says the limit", () => {
    const e = expectError(() => planParts(MAX_OBJECT_SIZE + 1), "too_large");
    expect(e.message).toContain("48.8 TiB");
    expect(e.message).toContain(String(MAX_OBJECT_SIZE));
    expect(e.message).toContain("5 GiB");
  });

  it("refuses a configured maxBytes with its value", () => {
    const e = expectError(() => planParts(11 * GiB, { maxBytes: 10 * GiB }), "too_large");
    expect(e.message).toContain("10 GiB");
  });

  it("refuses a configured part size over 5 GiB", () => {
    expectError(() => planParts(1, { partSize: 5 * GiB + 1 }), "too_large");
  });

  it("raises a configured part size below 5 MiB to 5 MiB and rounds up to whole MiB", () => {
    expect(planParts(100 * MiB, { partSize: 1 }).partSize).toBe(5 * MiB);
    expect(planParts(100 * MiB, { partSize: 8 * MiB + 1 }).partSize).toBe(9 * MiB);
  });
});

describe("planParts: invalid sizes", () => {
  it.each([-1, NaN, 1.5, Infinity, 2 ** 53])("refuses %s with invalid_size", (size) => {
    expectError(() => planParts(size), "invalid_size");
  });
  it("refuses a non-integer part size", () => {
    expectError(() => planParts(10, { partSize: 5.5 * MiB + 0.5 }), "invalid_size");
  });
});

describe("checkPlan (the portal's plan)", () => {
  it("accepts a consistent plan, including small test part sizes", () => {
    expect(checkPlan(10, 4, 3)).toEqual({ size: 10, partSize: 4, partCount: 3 });
    expect(checkPlan(0, 5 * MiB, 0).partCount).toBe(0);
  });
  it.each([
    [10, 4, 2],
    [10, 0, 0],
    [MAX_OBJECT_SIZE, 5 * GiB + MiB, 9_990],
    [100_001, 10, 10_001],
  ])("refuses size %i, part size %i, %i parts", (size, partSize, partCount) => {
    expectError(() => checkPlan(size, partSize, partCount), "api");
  });
  it("refuses part numbers outside the plan", () => {
    expectError(() => partRange(planParts(10), 2), "invalid_state");
  });
});
