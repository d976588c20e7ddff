import type { Command } from "../command.ts";
import { EXIT } from "../exit-codes.ts";

export const command: Command = {
  name: "build",
  summary: "",
  help: "Usage: rotunda build (not built yet)",
  async run() {
    console.error("rotunda build: not built yet");
    return EXIT.crash;
  },
};
