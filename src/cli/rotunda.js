#!/usr/bin/env node
// The `rotunda` command. Rotunda is written in TypeScript and runs through tsx,
// so an installed copy needs no separate compile step.
import { register } from "tsx/esm/api";

register();
await import("./main.ts");
