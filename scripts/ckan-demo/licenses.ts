/**
 * CKAN's default license register (ckan/model/license.py `LicenseRegister`, used when
 * `licenses_group_url` is not set), in its order, as `license_list` prints each license
 * (`License.license_dictize`).
 */

interface LicenseSpec { id: string; title: string; url?: string; okd?: boolean; osi?: boolean; generic?: boolean; family?: string }

const SPECS: LicenseSpec[] = [
  { id: "notspecified", title: "License not specified", generic: true },
  { id: "odc-pddl", title: "Open Data Commons Public Domain Dedication and License (PDDL)", url: "http://www.opendefinition.org/licenses/odc-pddl", okd: true },
  { id: "odc-odbl", title: "Open Data Commons Open Database License (ODbL)", url: "http://www.opendefinition.org/licenses/odc-odbl", okd: true },
  { id: "odc-by", title: "Open Data Commons Attribution License", url: "http://www.opendefinition.org/licenses/odc-by", okd: true },
  { id: "cc-zero", title: "Creative Commons CCZero", url: "http://www.opendefinition.org/licenses/cc-zero", okd: true },
  { id: "cc-by", title: "Creative Commons Attribution", url: "http://www.opendefinition.org/licenses/cc-by", okd: true },
  { id: "cc-by-sa", title: "Creative Commons Attribution Share-Alike", url: "http://www.opendefinition.org/licenses/cc-by-sa", okd: true },
  { id: "gfdl", title: "GNU Free Documentation License", url: "http://www.opendefinition.org/licenses/gfdl", okd: true },
  { id: "other-open", title: "Other (Open)", okd: true, generic: true },
  { id: "other-pd", title: "Other (Public Domain)", okd: true, generic: true },
  { id: "other-at", title: "Other (Attribution)", okd: true, generic: true },
  { id: "uk-ogl", title: "UK Open Government Licence (OGL)", url: "http://reference.data.gov.uk/id/open-government-licence", okd: true },
  { id: "cc-nc", title: "Creative Commons Non-Commercial (Any)", url: "http://creativecommons.org/licenses/by-nc/2.0/" },
  { id: "other-nc", title: "Other (Non-Commercial)", generic: true },
  { id: "other-closed", title: "Other (Not Open)", generic: true },
];

/** license_list's result. */
export const LICENSES: ReadonlyArray<Record<string, unknown>> = SPECS.map((l) => ({
  domain_content: false,
  domain_data: false,
  domain_software: false,
  family: l.family ?? "",
  id: l.id,
  is_generic: l.generic ?? false,
  is_okd_compliant: l.okd ?? false,
  is_osi_compliant: l.osi ?? false,
  maintainer: "",
  od_conformance: l.okd ? "approved" : "not reviewed",
  osd_conformance: "not reviewed",
  status: "active",
  title: l.title,
  url: l.url ?? "",
}));

/** package_dictize's `license_title`: the register's title, the id itself for an unknown one, null for none. */
export function licenseTitle(id: string | null | undefined): string | null {
  if (!id) return null;
  return SPECS.find((l) => l.id === id)?.title ?? id;
}
