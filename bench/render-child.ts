// Renders one output folder's manifest into its staging folder, in a process of
// its own so bench/scale.ts can read its peak RSS; prints the pages and seconds.
//   node --import tsx bench/render-child.ts <output dir> <gallery dir>
import { renderSite } from "../src/render/index.ts";

const [outputDir, contentDir] = process.argv.slice(2);
if (!outputDir || !contentDir) {
  console.error("usage: render-child.ts <output dir> <gallery dir>");
  process.exit(2);
}
const started = performance.now();
const { pages } = await renderSite({ outputDir, contentDir });
console.log(`rendered ${pages} pages in ${((performance.now() - started) / 1000).toFixed(2)} s`);
