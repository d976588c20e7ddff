// Where Rotunda's own files are, wherever it is installed: its layouts/ and its browser code.
import path from "node:path";

/** The project root: where layouts/ lives. */
export const PROJECT_ROOT = path.resolve(import.meta.dirname, "../..");
export const LAYOUTS_DIR = path.join(PROJECT_ROOT, "layouts");
