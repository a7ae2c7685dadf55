import { DEMO_NEXTAUTH_SECRET } from "@/lib/config";

/** AWS keys of the embedded demo S3 (s3rver) and other well-known sample keys that must never reach production. */
const DEMO_AWS_KEYS = new Set(["S3RVER", "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "minioadmin"]);

/**
 * Why this environment must not run in production, or `[]` when it may. Applies only under
 * `NODE_ENV=production` without `PORTAL_DEMO=true` (which `npm run demo` sets): then the demo
 * NEXTAUTH_SECRET, a secret that reads as a placeholder, and the demo/sample AWS keys are refused.
 * Each message names the variable but never echoes its value.
 */
export function productionSecretIssues(env: Record<string, string | undefined> = process.env): string[] {
  if (env.NODE_ENV !== "production") return [];
  if (/^(true|1|yes)$/.test(env.PORTAL_DEMO ?? "")) return [];
  const issues: string[] = [];
  const secret = env.NEXTAUTH_SECRET ?? "";
  if (secret === DEMO_NEXTAUTH_SECRET || /change-?me|demo-only/i.test(secret)) {
    issues.push("NEXTAUTH_SECRET: is the demo secret or a placeholder; set a random one (`openssl rand -base64 32`)");
  }
  for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]) {
    const v = env[name];
    if (v && DEMO_AWS_KEYS.has(v)) issues.push(`${name}: is a demo or documentation example key; use the portal's real AWS identity`);
  }
  return issues;
}
