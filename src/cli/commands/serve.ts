import type { Command } from "../command.ts";
import { EXIT } from "../exit-codes.ts";

export const command: Command = {
  name: "serve",
  summary: "",
  help: "Usage: rotunda serve (not built yet)",
  async run() {
    console.error("rotunda serve: not built yet");
    return EXIT.crash;
  },
};
