/** A configuration value naming a file that must be there and readable at start (certificates, keys). */
import { accessSync, constants, statSync } from "node:fs";
import { z } from "zod";

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export const readableFile = z.string().refine(readable, "must name a readable file, and none is there");
