/**
 * Shared by the i18n view tests: render React nodes to HTML inside next-intl's provider in one of the
 * catalogues' locales, and an upload row's state with defaults.
 */
import { createElement, type ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { NextIntlClientProvider } from "next-intl";
import en from "@/messages/en.json";
import de from "@/messages/de.json";
import ar from "@/messages/ar.json";
import { newUploadItem, type UploadItem } from "@/components/uploader/use-upload-queue";

export const catalogues = { en, de, ar } as const;
export type Locale = keyof typeof catalogues;

/** `node` rendered to static HTML in `locale` (time zone UTC). */
export function renderIn(locale: Locale, node: ReactNode): string {
  return renderToStaticMarkup(createElement(NextIntlClientProvider, { locale, messages: catalogues[locale], timeZone: "UTC", children: node }));
}

const MiB = 1024 * 1024;

/** A 4 MiB row, 1 MiB sent, uploading (otherwise as the queue makes a new row); `over` replaces any field. */
export function uploadItem(over: Partial<UploadItem> = {}): UploadItem {
  return {
    ...newUploadItem("i1", { name: "survey/2026.csv", size: 4 * MiB }, "uploading"),
    progress: { bytesSent: MiB, total: 4 * MiB, percent: 25, speedBps: 0, etaSeconds: null },
    ...over,
  };
}
