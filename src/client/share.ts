// The panorama page's embed control: the iframe code is in a text area anyone can
// select and copy; this adds a button that copies it, and makes a site-relative
// address absolute (a gallery without baseUrl knows its own address only here).
function setUp(): void {
  for (const area of document.querySelectorAll<HTMLTextAreaElement>("textarea[data-rotunda-embed-code]")) {
    const src = area.dataset.embedSrc;
    if (src && src.startsWith("/")) area.value = area.value.replace(`src="${src}"`, `src="${new URL(src, location.href).href}"`);
    const button = document.querySelector<HTMLButtonElement>(`button[data-rotunda-copy="${CSS.escape(area.id)}"]`);
    const status = button?.parentElement?.querySelector<HTMLElement>("[data-rotunda-copy-status]");
    if (!button) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      let copied = false;
      try {
        await navigator.clipboard.writeText(area.value);
        copied = true;
      } catch {
        area.focus();
        area.select();
        copied = document.execCommand("copy");
      }
      if (status) status.textContent = copied ? "Copied." : "Select the code and copy it.";
    });
  }
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
else setUp();
