// Entry point of the face workers: loads face-worker.ts, registering the tsx
// loader first when this thread does not have it (workers do not get the
// main thread's loader hooks, whether from `node --import tsx` or from tsx's
// register() API used by bin/rotunda).
try {
  await import("./face-worker.ts");
} catch (err) {
  if (err?.code !== "ERR_UNKNOWN_FILE_EXTENSION") throw err;
  const { register } = await import("tsx/esm/api");
  register();
  // A new URL: the failed load above stays cached under the plain one.
  await import("./face-worker.ts?tsx");
}
