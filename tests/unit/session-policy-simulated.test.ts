/**
 * The generated session policy evaluated by an IAM policy simulator (@cloud-copilot/iam-simulate),
 * intersected with a broad role policy, as AWS evaluates a role session: an action is allowed only
 * when both the role's identity policy and the session policy allow it (AWS IAM User Guide,
 * "Policy evaluation logic" → "Session policies"). The same property is proven on Ceph RGW by
 * tests/integration/sts-denial.test.ts.
 */
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { describe, expect, it } from "vitest";
import { objectKey } from "@/lib/storage/keys";
import { buildSessionPolicy } from "@/lib/storage/session-policy";

const ACCOUNT = "123456789012";
const BUCKET = "ckan-uploads";
const KEY = objectKey({ prefix: "uploads/", organization: "test-org", dataset: "test-dataset", sessionId: "0b7e4f5e-8f7a-4a8e-9d51-0c7f3f1f0a11", fileName: "report & notes #1?.csv" });

/** A deliberately broad role policy: everything on S3. */
const BROAD_ROLE_POLICY = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] };
/** The role policy README recommends: the upload actions on the whole prefix. */
const PREFIX_ROLE_POLICY = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: ["s3:PutObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"], Resource: `arn:aws:s3:::${BUCKET}/uploads/*` }],
};

/** "Allowed", "ImplicitlyDenied" or "ExplicitlyDenied" for `action` on `resource` by the role session. */
async function decide(action: string, resource: string, rolePolicy: object, key = KEY): Promise<string> {
  const simulation: Simulation = {
    request: {
      principal: `arn:aws:sts::${ACCOUNT}:assumed-role/ckan-upload/ckan-editor_user`,
      action,
      resource: { resource, accountId: ACCOUNT },
      contextVariables: {},
    },
    sessionPolicy: buildSessionPolicy(BUCKET, key),
    identityPolicies: [{ name: "role-policy", policy: rolePolicy }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  };
  const out = await runSimulation(simulation, {});
  if (out.resultType === "error") throw new Error(`simulation failed: ${JSON.stringify(out.errors)}`);
  return out.overallResult;
}

const own = `arn:aws:s3:::${BUCKET}/${KEY}`;
const sibling = `arn:aws:s3:::${BUCKET}/uploads/test-org/test-dataset/0b7e4f5e-8f7a-4a8e-9d51-0c7f3f1f0a11/other.csv`;
const otherDataset = `arn:aws:s3:::${BUCKET}/uploads/other-org/other-dataset/x/y.bin`;

describe.each([
  ["a broad role policy (s3:* on *)", BROAD_ROLE_POLICY],
  ["the README's prefix role policy", PREFIX_ROLE_POLICY],
])("session policy ∩ %s", (_name, rolePolicy) => {
  it.each(["s3:PutObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"])("allows %s on the session's own key", async (action) => {
    expect(await decide(action, own, rolePolicy)).toBe("Allowed");
  });

  it.each([
    ["s3:PutObject on another key in the same dataset", "s3:PutObject", sibling],
    ["s3:PutObject on a key in another dataset", "s3:PutObject", otherDataset],
    ["s3:GetObject on its own key", "s3:GetObject", own],
    ["s3:DeleteObject on its own key", "s3:DeleteObject", own],
    ["s3:PutObjectAcl on its own key", "s3:PutObjectAcl", own],
    ["s3:ListBucket", "s3:ListBucket", `arn:aws:s3:::${BUCKET}`],
    ["s3:ListBucketMultipartUploads", "s3:ListBucketMultipartUploads", `arn:aws:s3:::${BUCKET}`],
    ["s3:AbortMultipartUpload on another key", "s3:AbortMultipartUpload", sibling],
    ["s3:PutBucketCors", "s3:PutBucketCors", `arn:aws:s3:::${BUCKET}`],
  ])("denies %s", async (_label, action, resource) => {
    expect(await decide(action, resource, rolePolicy)).toBe("ImplicitlyDenied");
  });
});

describe("session policy wildcards", () => {
  it("a key containing * and ? matches only itself, not keys the wildcards would cover", async () => {
    const key = "uploads/o/d/s/a*b?.csv";
    expect(await decide("s3:PutObject", `arn:aws:s3:::${BUCKET}/${key}`, BROAD_ROLE_POLICY, key)).toBe("Allowed");
    expect(await decide("s3:PutObject", `arn:aws:s3:::${BUCKET}/uploads/o/d/s/aXXXbY.csv`, BROAD_ROLE_POLICY, key)).toBe("ImplicitlyDenied");
  });

  it("a role policy that does not cover the key denies even the session's own key (intersection, not union)", async () => {
    const narrowRole = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:PutObject", Resource: `arn:aws:s3:::${BUCKET}/elsewhere/*` }] };
    expect(await decide("s3:PutObject", own, narrowRole)).toBe("ImplicitlyDenied");
  });
});
