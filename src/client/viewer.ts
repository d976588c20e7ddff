// The viewer bundle of a panorama page (and the comparison page): Pannellum
// with Rotunda's changes, started on the page's #viewer. On the comparison page
// one button per ladder step switches the picture, keeping the view.
import { afterFirstPaint } from "./first-paint.ts";
import "./pannellum.ts";
import { startPanoramaPage, type PanoramaPage } from "./panorama-page.ts";
import { equirectangularScene } from "./viewer-plan.ts";

afterFirstPaint(() => {
  const page = startPanoramaPage();
  const ladder = document.getElementById("rotunda-ladder");
  if (page && ladder) startLadder(page, ladder);
});

function startLadder(page: PanoramaPage, ladder: HTMLElement): void {
  ladder.addEventListener("click", (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>("button[data-url]");
    if (!button) return;
    for (const b of ladder.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b === button));
    page.show(equirectangularScene(button.dataset.url!));
  });
  ladder.querySelector(`button[data-url="${CSS.escape(page.plan.variant)}"]`)?.setAttribute("aria-pressed", "true");
}
