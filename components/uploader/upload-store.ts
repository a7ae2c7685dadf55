"use client";

/**
 * The upload page's rows outside React (issue 12, small files go fast): one store per queue, read by
 * per-row subscriptions (the hooks at the end), so a progress or state change of one file renders that
 * file's row only — the list (N rows) renders again only when rows are added or cleared, and the page's
 * counts ("N uploads in progress", "Clear finished") only when a count changes. Plain TypeScript.
 *
 * Snapshots are immutable and stable: `get(id)` returns the same object until that row changes (a change
 * makes a new object), `ids()` the same array until rows are added or hidden, `counts()` the same object
 * until a count changes.
 */
import { useCallback, useEffect, useState } from "react";
import type { UploadItem } from "./use-upload-queue";

/** The page's counts over its rows. */
export interface UploadCounts {
  /** Rows shown (hidden, i.e. cleared, rows not counted). */
  shown: number;
  /** Rows still needing the page (queued, preparing, uploading, paused, completing), shown or not. */
  active: number;
  /** Rows whose upload runs right now (preparing, uploading, completing): they keep the sign-in alive. */
  running: number;
  /** Rows completed or cancelled, ever (cleared ones too): grows as uploads finish. */
  finished: number;
  /** Shown rows that may be cleared (completed, cancelled). */
  clearable: number;
}

/**
 * Called once per change of the store (rows added, rows updated together), after the store has it, with
 * each changed row and its previous value (undefined for a new row).
 */
export type RowChangeListener = (changes: ReadonlyArray<readonly [item: UploadItem, previous: UploadItem | undefined]>) => void;

export interface UploadStore {
  /** The shown rows' ids, in the order added. */
  ids(): readonly string[];
  /** A row (shown or hidden) by id. */
  get(id: string): UploadItem | undefined;
  /** All shown rows, in order (built again only after a change). */
  items(): readonly UploadItem[];
  /** Every row ever added, hidden ones too. */
  everAdded(): readonly UploadItem[];
  counts(): UploadCounts;
  /** Adds rows at the end. */
  add(items: readonly UploadItem[]): void;
  /** Applies `changes` (by row id; unknown ids are ignored): each changed row becomes a new object. */
  update(changes: ReadonlyMap<string, Partial<UploadItem>>): void;
  /** Hides rows (cleared from the list); the rows themselves are kept. */
  hide(ids: readonly string[]): void;
  subscribeIds(listener: () => void): () => void;
  subscribeRow(id: string, listener: () => void): () => void;
  subscribeCounts(listener: () => void): () => void;
  /** Every row change (for the page's counts and announcements); also for all rows. */
  subscribeAll(listener: () => void): () => void;
  onRowChange(listener: RowChangeListener): () => void;
}

const ACTIVE: ReadonlySet<UploadItem["state"]> = new Set(["queued", "preparing", "uploading", "paused", "completing"]);
const RUNNING: ReadonlySet<UploadItem["state"]> = new Set(["preparing", "uploading", "completing"]);
const FINISHED: ReadonlySet<UploadItem["state"]> = new Set(["completed", "cancelled"]);

/** A new, empty store. */
export function createUploadStore(): UploadStore {
  const rows = new Map<string, UploadItem>();
  const hidden = new Set<string>();
  let order: string[] = [];
  let shownIds: readonly string[] = [];
  let shownItems: readonly UploadItem[] | null = [];
  let counts: UploadCounts = { shown: 0, active: 0, running: 0, finished: 0, clearable: 0 };
  const idListeners = new Set<() => void>();
  const countListeners = new Set<() => void>();
  const allListeners = new Set<() => void>();
  const rowListeners = new Map<string, Set<() => void>>();
  const changeListeners = new Set<RowChangeListener>();

  const tally = (item: UploadItem, sign: 1 | -1, next: UploadCounts) => {
    const isHidden = hidden.has(item.id);
    if (!isHidden) next.shown += sign;
    if (ACTIVE.has(item.state)) next.active += sign;
    if (RUNNING.has(item.state)) next.running += sign;
    if (FINISHED.has(item.state)) {
      next.finished += sign;
      if (!isHidden) next.clearable += sign;
    }
  };
  const same = (a: UploadCounts, b: UploadCounts) =>
    a.shown === b.shown && a.active === b.active && a.running === b.running && a.finished === b.finished && a.clearable === b.clearable;
  const call = (listeners: Iterable<() => void>) => {
    for (const l of [...listeners]) l();
  };

  return {
    ids: () => shownIds,
    get: (id) => rows.get(id),
    items: () => (shownItems ??= shownIds.map((id) => rows.get(id) as UploadItem)),
    everAdded: () => order.map((id) => rows.get(id) as UploadItem),
    counts: () => counts,
    add(items) {
      if (items.length === 0) return;
      const next = { ...counts };
      for (const item of items) {
        rows.set(item.id, item);
        tally(item, 1, next);
      }
      order = [...order, ...items.map((it) => it.id)];
      shownIds = [...shownIds, ...items.map((it) => it.id)];
      shownItems = null;
      counts = next;
      call(idListeners);
      call(countListeners);
      const added = items.map((item) => [item, undefined] as const);
      for (const l of [...changeListeners]) l(added);
      call(allListeners);
    },
    update(changes) {
      const changed: Array<[UploadItem, UploadItem]> = [];
      const next = { ...counts };
      for (const [id, change] of changes) {
        const previous = rows.get(id);
        if (!previous) continue;
        const item = { ...previous, ...change };
        rows.set(id, item);
        if (previous.state !== item.state) {
          tally(previous, -1, next);
          tally(item, 1, next);
        }
        changed.push([item, previous]);
      }
      if (changed.length === 0) return;
      if (shownItems) shownItems = null;
      const countsChanged = !same(counts, next);
      if (countsChanged) counts = next;
      for (const [item] of changed) call(rowListeners.get(item.id) ?? []);
      if (countsChanged) call(countListeners);
      for (const l of [...changeListeners]) l(changed);
      call(allListeners);
    },
    hide(ids) {
      const next = { ...counts };
      let any = false;
      for (const id of ids) {
        const item = rows.get(id);
        if (!item || hidden.has(id)) continue;
        tally(item, -1, next);
        hidden.add(id);
        tally(item, 1, next);
        any = true;
      }
      if (!any) return;
      shownIds = shownIds.filter((id) => !hidden.has(id));
      shownItems = null;
      counts = next;
      call(idListeners);
      call(countListeners);
      call(allListeners);
    },
    subscribeIds(listener) {
      idListeners.add(listener);
      return () => idListeners.delete(listener);
    },
    subscribeRow(id, listener) {
      let set = rowListeners.get(id);
      if (!set) rowListeners.set(id, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) rowListeners.delete(id);
      };
    },
    subscribeCounts(listener) {
      countListeners.add(listener);
      return () => countListeners.delete(listener);
    },
    subscribeAll(listener) {
      allListeners.add(listener);
      return () => allListeners.delete(listener);
    },
    onRowChange(listener) {
      changeListeners.add(listener);
      return () => changeListeners.delete(listener);
    },
  };
}

/**
 * `get()`, rendered again when `subscribe`'s listener is called. Not `useSyncExternalStore` on purpose:
 * its updates are synchronous (a render and commit for each engine event, at the end of that event's
 * task), while a `useState` update from outside React is batched with every other change until React's
 * next scheduled render (issue 12: a many-file drop's events share renders). A change between the render
 * and the subscription is caught up at once.
 */
function useStoreValue<T>(subscribe: (listener: () => void) => () => void, get: () => T): T {
  const [value, setValue] = useState(get);
  useEffect(() => {
    const update = () => setValue(() => get());
    const off = subscribe(update);
    update();
    return off;
  }, [subscribe, get]);
  return value;
}

/** The row `id` of `store`: renders again when that row changes, not when another does. */
export function useUploadRow(store: UploadStore, id: string): UploadItem | undefined {
  const subscribe = useCallback((l: () => void) => store.subscribeRow(id, l), [store, id]);
  const get = useCallback(() => store.get(id), [store, id]);
  return useStoreValue(subscribe, get);
}

/** The shown rows' ids: renders again when rows are added or cleared only. */
export function useUploadIds(store: UploadStore): readonly string[] {
  return useStoreValue(store.subscribeIds, store.ids);
}

/** The page's counts: renders again when a count changes (a row's state), not on progress. */
export function useUploadCounts(store: UploadStore): UploadCounts {
  return useStoreValue(store.subscribeCounts, store.counts);
}

/** All shown rows: renders again on every change (a page with one or a few rows, e.g. the replace page). */
export function useUploadItems(store: UploadStore): readonly UploadItem[] {
  return useStoreValue(store.subscribeAll, store.items);
}
