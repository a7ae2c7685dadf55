/**
 * Input of dataset creation (POST /api/datasets), shared by the route, the service and the form.
 * Field names are the portal's; lib/datasets/create.ts maps them to CKAN's (notes, owner_org, …).
 */
import { z } from "zod";
import { DATASET_NAME_MAX_LENGTH, DATASET_NAME_MESSAGES, datasetNameProblem } from "./name-rules";

/** Longest title the portal sends, in characters (CKAN stores titles as text; this keeps pages readable). */
export const DATASET_TITLE_MAX_LENGTH = 200;
/** Longest description the portal sends, in characters. */
export const DATASET_DESCRIPTION_MAX_LENGTH = 10_000;

export const createDatasetSchema = z.strictObject({
  title: z.string().trim().min(1, "Enter a title.").max(DATASET_TITLE_MAX_LENGTH),
  name: z
    .string()
    .max(DATASET_NAME_MAX_LENGTH + 1)
    .superRefine((name, ctx) => {
      const problem = datasetNameProblem(name);
      if (problem) ctx.addIssue({ code: "custom", message: DATASET_NAME_MESSAGES[problem] });
    }),
  description: z.string().max(DATASET_DESCRIPTION_MAX_LENGTH).default(""),
  /** CKAN organization id or name. */
  organization: z.string().min(1, "Choose an organization."),
  visibility: z.enum(["private", "public"]),
  /** A license_list id; "" or absent = none. */
  license: z.string().max(100).default(""),
});

export type CreateDatasetInput = z.input<typeof createDatasetSchema>;

/** CKAN's field names → the form's, for showing CKAN's 409 field errors next to the right control. */
export const CKAN_FIELD_TO_FORM: Record<string, keyof CreateDatasetInput> = {
  name: "name",
  title: "title",
  notes: "description",
  owner_org: "organization",
  private: "visibility",
  license_id: "license",
};
