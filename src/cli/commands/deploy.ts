import type { Command } from "../command.ts";
import { EXIT } from "../exit-codes.ts";

export const command: Command = {
  name: "deploy",
  summary: "",
  help: "Usage: rotunda deploy (not built yet)",
  async run() {
    console.error("rotunda deploy: not built yet");
    return EXIT.crash;
  },
};
