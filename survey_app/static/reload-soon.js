// A page that is waiting for figures the background worker is working out reloads itself
// after a few seconds (the page says so, and offers a link for doing it by hand).
const waiting = document.querySelector("[data-reload-after]");

if (waiting) {
  window.setTimeout(() => window.location.reload(), Number(waiting.dataset.reloadAfter) * 1000);
}
