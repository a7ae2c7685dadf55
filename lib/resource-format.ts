import mime from "mime";

/**
 * CKAN resource `format` for a file, guessed the way CKAN guesses it (ckan/logic/validators.py
 * `if_empty_guess_format`: Python's `mimetypes.guess_type` on the URL, then `clean_format`): a file
 * extension the MIME database (the `mime` library) knows gives its label in upper case (`data.csv` →
 * `CSV`, `a.tar.gz` → `GZ`, `x.nc` → `NC`); an unknown extension falls back to the type the browser
 * reported (`text/csv` → `CSV`); otherwise "" (CKAN leaves the format empty too). Runs in the browser
 * (the row's prefilled value), the command line and the server (the default sent to CKAN).
 */
export function guessResourceFormat(fileName: string, contentType?: string | null): string {
  const ext = /\.([A-Za-z0-9]{1,10})$/.exec(fileName.trim())?.[1];
  if (ext && mime.getType(ext)) return ext.toUpperCase();
  const type = contentType?.split(";")[0]?.trim().toLowerCase();
  const fromType = type && type !== "application/octet-stream" ? mime.getExtension(type) : null;
  return fromType ? fromType.toUpperCase() : "";
}
