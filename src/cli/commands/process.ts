import type { Command } from "../command.ts";
import { EXIT } from "../exit-codes.ts";

export const command: Command = {
  name: "process",
  summary: "",
  help: "Usage: rotunda process (not built yet)",
  async run() {
    console.error("rotunda process: not built yet");
    return EXIT.crash;
  },
};
