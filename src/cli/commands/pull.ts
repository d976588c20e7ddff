import type { Command } from "../command.ts";
import { EXIT } from "../exit-codes.ts";

export const command: Command = {
  name: "pull",
  summary: "",
  help: "Usage: rotunda pull (not built yet)",
  async run() {
    console.error("rotunda pull: not built yet");
    return EXIT.crash;
  },
};
