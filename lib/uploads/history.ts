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
  errorMessage: string | null;
}
