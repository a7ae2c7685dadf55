/** One row of an upload history table (sizes in bytes): `/uploads`, the dataset history and the admin list. */
export interface HistoryRow {
  id: string;
  fileName: string;
  size: number;
  status: string;
  createdAt: Date;
  completedAt: Date | null;
  datasetName: string;
  datasetTitle: string;
  ckanResourceUrl: string | null;
  userName: string;
  /** Why the session failed, as its stable code (`expired`, `ckan_failed`, …; the UI translates it), or null. */
  errorCode?: string | null;
  /** The stored English reason (data: CKAN's or the storage's answer); shown as-is when the code has no translation. */
  errorMessage: string | null;
}
