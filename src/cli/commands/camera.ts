import type { Command } from "../command.ts";
import { EXIT } from "../exit-codes.ts";

export const command: Command = {
  name: "camera",
  summary: "",
  help: "Usage: rotunda camera (not built yet)",
  async run() {
    console.error("rotunda camera: not built yet");
    return EXIT.crash;
  },
};
