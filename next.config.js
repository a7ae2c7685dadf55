// @ts-check
// next-intl: finds i18n/request.ts (the locale and messages of each request; no locale in the URL, docs/i18n.md).
const createNextIntlPlugin = require("next-intl/plugin");
const withNextIntl = createNextIntlPlugin("./i18n/request.ts");

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Production: `npm run build` writes .next/standalone (a server with only the modules it needs);
  // scripts/standalone.mjs adds .next/static and the portal's entry server (server/portal-server.js).
  output: "standalone",
  // Native and driver modules stay outside the server bundle.
  // pino: also required by the entry server (server/portal-server.js), so it must sit in node_modules.
  // undici: the CKAN client sends writes through its own fetch and Agent (lib/ckan/client.ts).
  serverExternalPackages: ["better-sqlite3", "@prisma/adapter-better-sqlite3", "pg", "@prisma/adapter-pg", "pino", "undici"],
  // GET /api/ready compares the applied migrations with these folders (lib/ops/readiness.ts).
  outputFileTracingIncludes: { "/api/ready": ["./prisma/migrations/**/*", "./prisma/postgresql/migrations/**/*"] },
  typedRoutes: false,
  // forbidden() renders app/forbidden.tsx with HTTP 403.
  experimental: { authInterrupts: true },
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "X-Frame-Options", value: "DENY" },
        ],
      },
    ];
  },
};

module.exports = withNextIntl(nextConfig);
