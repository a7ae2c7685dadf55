"use client";

import { useState } from "react";
import { useTranslations } from "next-intl";
import { useHydrated } from "@/components/use-hydrated";
import { FileRow } from "@/components/uploader/file-row";
import { useUploadQueue } from "@/components/uploader/use-upload-queue";
import { useUploadItems } from "@/components/uploader/upload-store";

/**
 * The replace page's uploader (issue 12): one file, sent as an upload that replaces resource
 * `resourceId` (session creation carries `replaceResourceId`; the completion patches the resource).
 * For a resource this portal did not store, the user first confirms that its URL will point to the
 * new upload (`replaceExternal`). The row is the uploader's own FileRow (progress, pause, cancel,
 * resource fields); outcomes are announced by its live regions.
 */
export function ReplaceUploader(props: { datasetId: string; resourceId: string; resourceName: string; external: boolean; concurrency: number; refreshMarginMs?: number }) {
  const t = useTranslations("replace");
  const [confirmed, setConfirmed] = useState(false);
  const hydrated = useHydrated();
  const { store, addFiles, cancel, pause, resume, acceptResume, startOver, describe } = useUploadQueue({
    datasetId: props.datasetId,
    concurrency: props.concurrency,
    checksum: "CRC32C",
    refreshMarginMs: props.refreshMarginMs,
    replace: { resourceId: props.resourceId, external: props.external && confirmed },
  });
  const items = useUploadItems(store); // one row: it renders on each of its changes
  const ready = hydrated && (!props.external || confirmed) && items.length === 0;
  return (
    <section aria-labelledby="replace-upload-heading" className="space-y-4">
      <h2 id="replace-upload-heading" className="text-xl font-semibold">{t("newFile")}</h2>
      {props.external && (
        <p>
          <label className="inline-flex items-start gap-2 text-sm">
            <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.currentTarget.checked)} disabled={items.length > 0} className="mt-1" data-testid="replace-confirm" />
            <span>{t("confirmExternal")}</span>
          </label>
        </p>
      )}
      <label htmlFor="replace-file-input" className={`inline-block rounded px-4 py-2 font-medium text-white focus-within:outline focus-within:outline-3 focus-within:outline-blue-900 ${ready ? "cursor-pointer bg-blue-700 hover:bg-blue-800" : "cursor-not-allowed bg-slate-500"}`}>
        {t("choose", { name: props.resourceName })}
        <input
          id="replace-file-input"
          type="file"
          disabled={!ready}
          className="sr-only"
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            if (file) addFiles([file]);
            e.currentTarget.value = "";
          }}
        />
      </label>
      {items.length > 0 && (
        <ul className="space-y-3" aria-label={t("rowsLabel")}>
          {items.map((item) => (
            <FileRow key={item.id} item={item} onCancel={() => cancel(item.id)} onPause={() => pause(item.id)} onResume={() => resume(item.id)} onAcceptResume={() => acceptResume(item.id)} onStartOver={() => startOver(item.id)} onDescribe={(v) => describe(item.id, v)} />
          ))}
        </ul>
      )}
    </section>
  );
}
