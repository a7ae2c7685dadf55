/**
 * Tiny HTML pages of the demo CKAN, so links from the portal ("back to CKAN", "view the
 * resource") land somewhere: `/`, `/dataset/{name-or-id}`, `/dataset/{name}/resource/{id}`.
 * Pages are public (the demo has no browser login); private datasets are labelled as such.
 */
import type { DemoDataset } from "./model";
import type { DemoState } from "./state";

export interface Page {
  status: number;
  html: string;
}

function escapeHtml(text: unknown): string {
  return String(text ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} - Demo CKAN</title></head>`
    + `<body><header><a href="/">Demo CKAN</a></header><main>${body}</main></body></html>`;
}

function datasetLink(dataset: DemoDataset): string {
  return `<a href="/dataset/${encodeURIComponent(dataset.name)}">${escapeHtml(dataset.title)}</a>`;
}

function notFoundPage(): Page {
  return { status: 404, html: layout("Not found", "<h1>404 Not Found</h1><p>Dataset not found</p>") };
}

function datasetPage(state: DemoState, nameOrId: string): Page {
  const dataset = state.getDataset(nameOrId);
  if (!dataset) return notFoundPage();
  const items = dataset.resources
    .map((r) => `<li><a href="/dataset/${encodeURIComponent(dataset.name)}/resource/${encodeURIComponent(r.id)}">`
      + `${escapeHtml(r.name || r.url)}</a> ${escapeHtml(r.format)}</li>`)
    .join("");
  const body = `<h1>${escapeHtml(dataset.title)}</h1>${dataset.private ? "<p><strong>Private</strong></p>" : ""}`
    + `<p>${escapeHtml(dataset.notes)}</p><h2>Data and Resources</h2><ul>${items}</ul>`;
  return { status: 200, html: layout(dataset.title, body) };
}

function resourcePage(state: DemoState, nameOrId: string, resourceId: string): Page {
  const found = state.getResource(resourceId);
  const dataset = state.getDataset(nameOrId);
  if (!found || !dataset || found.dataset.id !== dataset.id) return notFoundPage();
  const r = found.resource;
  const rows = ["url", "format", "mimetype", "size", "hash", "last_modified", "created"]
    .map((key) => `<tr><th>${key}</th><td>${escapeHtml(r[key])}</td></tr>`)
    .join("");
  const body = `<p>${datasetLink(dataset)}</p><h1>${escapeHtml(r.name || r.url)}</h1>`
    + `<p><a href="${escapeHtml(r.url)}">${escapeHtml(r.url)}</a></p><table>${rows}</table>`;
  return { status: 200, html: layout(String(r.name || r.id), body) };
}

/** Route a non-API request. */
export function renderPage(state: DemoState, pathname: string, method: string): Page {
  if (method !== "GET" && method !== "HEAD") return { status: 405, html: layout("Method not allowed", "<h1>405</h1>") };
  const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) {
    const list = [...state.datasets.values()].map((d) => `<li>${datasetLink(d)}</li>`).join("");
    return { status: 200, html: layout("Datasets", `<h1>Datasets</h1><ul>${list}</ul>`) };
  }
  if (parts[0] === "dataset" && parts.length === 2) return datasetPage(state, parts[1] ?? "");
  if (parts[0] === "dataset" && parts.length === 4 && parts[2] === "resource") {
    return resourcePage(state, parts[1] ?? "", parts[3] ?? "");
  }
  return notFoundPage();
}
