// @ts-check
/**
 * Preloaded into the portal by `bench:api --cpu-prof DIR` (`node -r …/cpu-profile-hook.cjs server.js`), never
 * in production: the first SIGUSR2 starts V8's sampling CPU profiler (node:inspector, in-process), the
 * second stops it and writes the profile to $BENCH_CPU_PROF_FILE (a `.cpuprofile`, which Chrome DevTools,
 * speedscope and scripts/bench/cpuprofile-top.ts read). So the profile covers exactly the bench's measured
 * window, without the server's start, the sign-ins and the warm-up that `node --cpu-prof` would include.
 * Sampling interval: BENCH_CPU_PROF_INTERVAL_US (µs, default 500).
 */
const fs = require("node:fs");
const inspector = require("node:inspector");

const file = process.env.BENCH_CPU_PROF_FILE;
if (file) {
  const session = new inspector.Session();
  session.connect();
  let running = false;
  const post = (method, params = {}) => new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
  process.on("SIGUSR2", () => {
    if (!running) {
      running = true;
      post("Profiler.enable")
        .then(() => post("Profiler.setSamplingInterval", { interval: Number(process.env.BENCH_CPU_PROF_INTERVAL_US) || 500 }))
        .then(() => post("Profiler.start"))
        .then(() => fs.writeFileSync(`${file}.started`, String(Date.now())))
        .catch((err) => console.error(`cpu-profile-hook: ${err.message}`));
    } else {
      running = false;
      post("Profiler.stop")
        .then((res) => { fs.writeFileSync(`${file}.tmp`, JSON.stringify(/** @type {any} */ (res).profile)); fs.renameSync(`${file}.tmp`, file); })
        .catch((err) => console.error(`cpu-profile-hook: ${err.message}`));
    }
  });
}
