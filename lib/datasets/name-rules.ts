/**
 * CKAN's rules for a dataset's name (its URL slug), shared by the /datasets/new form, the name-check
 * route and dataset creation. Source: ckan/logic/validators.py `name_validator` (CKAN 2.9–2.11) and
 * ckan/model/package.py PACKAGE_NAME_MIN_LENGTH / PACKAGE_NAME_MAX_LENGTH. No server imports: the form
 * uses it too.
 */

/** Shortest name CKAN accepts, in characters. */
export const DATASET_NAME_MIN_LENGTH = 2;
/** Longest name CKAN accepts, in characters. */
export const DATASET_NAME_MAX_LENGTH = 100;
/** Characters CKAN allows in a name: lowercase ASCII letters, digits, "-" and "_". */
export const DATASET_NAME_PATTERN = /^[a-z0-9_-]+$/;
/** Names CKAN refuses because they clash with its own routes (/dataset/new, …). */
export const RESERVED_DATASET_NAMES: readonly string[] = ["new", "edit", "search"];

/** Why a name breaks CKAN's rules, as a stable code for the UI. */
export type DatasetNameProblem = "missing" | "reserved" | "too_short" | "too_long" | "characters";

/** English text for each problem, in CKAN's own words where CKAN has them. */
export const DATASET_NAME_MESSAGES: Record<DatasetNameProblem | "taken", string> = {
  missing: "Enter a name.",
  reserved: "That name cannot be used",
  too_short: `Must be at least ${DATASET_NAME_MIN_LENGTH} characters long`,
  too_long: `Name must be a maximum of ${DATASET_NAME_MAX_LENGTH} characters long`,
  characters: "Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_",
  taken: "That URL is already in use.",
};

/** The first rule `name` breaks, in name_validator's order, or null when CKAN would accept it. */
export function datasetNameProblem(name: string): DatasetNameProblem | null {
  if (name === "") return "missing";
  if (RESERVED_DATASET_NAMES.includes(name)) return "reserved";
  if (name.length < DATASET_NAME_MIN_LENGTH) return "too_short";
  if (name.length > DATASET_NAME_MAX_LENGTH) return "too_long";
  if (!DATASET_NAME_PATTERN.test(name)) return "characters";
  return null;
}

/**
 * A name derived from a title, as CKAN's form pre-fills it (ckan/public/base/javascript/modules/slug-preview):
 * accents dropped (NFKD), lowercase, every run of other characters one "-", no "-" at either end, at most
 * {@link DATASET_NAME_MAX_LENGTH} characters. "Données été 2026!" → "donnees-ete-2026". May be "" (a title
 * of only symbols or non-Latin script): the user then types a name.
 */
export function nameFromTitle(title: string): string {
  return title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, DATASET_NAME_MAX_LENGTH)
    .replace(/-+$/, "");
}
