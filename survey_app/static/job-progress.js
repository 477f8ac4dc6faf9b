// A job's page with JavaScript: the bar and its words follow the work every second; once the
// job has finished or failed, the page reloads to show the outcome. Without JavaScript the page
// refreshes itself instead (admin/job.html).
const box = document.querySelector("[data-job-progress]");

if (box) {
  const bar = box.querySelector("progress");
  const step = box.querySelector("[data-job-step]");
  const count = box.querySelector("[data-job-count]");

  const poll = async () => {
    try {
      const response = await fetch(box.dataset.jobProgress, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const json = (response.headers.get("Content-Type") || "").includes("application/json");
      if (response.status === 404 || (response.ok && !json)) {
        // Gone, or signed out (the answer is the sign-in page): the page itself will say so.
        window.location.reload();
        return;
      }
      if (response.ok) {
        const state = await response.json();
        if (state.status !== "queued" && state.status !== "running") {
          window.location.reload();
          return;
        }
        bar.max = state.total || 1;
        bar.value = state.done;
        bar.textContent = `${state.percent}%`;
        // Only a change of step is announced (the step is a live region); the count is not.
        if (step.textContent !== state.step) step.textContent = state.step;
        count.textContent = state.count;
      }
      // Any other answer (the service busy or its database away for a moment): poll again.
    } catch {
      // A moment without the network: the next poll tries again.
    }
    window.setTimeout(poll, 1000);
  };
  window.setTimeout(poll, 1000);
}
