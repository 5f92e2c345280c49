/* Học Vụ Số — the progress bar of a roster import: polls the job's small JSON endpoint every few seconds and
   reloads the page when the job has finished. Without this script the page refreshes itself (meta refresh). */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-progress-url]");
    if (!box || !window.fetch) {
      return;
    }
    var url = box.getAttribute("data-progress-url");
    var delay = (parseInt(box.getAttribute("data-poll-seconds"), 10) || 2) * 1000;
    var bar = box.querySelector("progress");
    var percent = box.querySelector("[data-progress-percent]");
    var status = box.querySelector("[data-progress-status]");
    var failures = 0;

    function show(data) {
      if (bar) {
        bar.value = data.progress;
        bar.textContent = data.progress + "%";
      }
      if (percent) {
        percent.textContent = data.progress;
      }
      // The status is a live region: only write it when it changes, so a screen reader is not flooded.
      if (status && status.textContent !== data.status_label) {
        status.textContent = data.status_label;
      }
    }

    function poll() {
      window
        .fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          failures = 0;
          show(data);
          if (data.finished) {
            window.location.reload();
          } else {
            window.setTimeout(poll, delay);
          }
        })
        .catch(function () {
          failures += 1;
          if (failures >= 3) {
            window.location.reload(); // signed out, or the server is away: let the page say what happened
          } else {
            window.setTimeout(poll, delay * 2);
          }
        });
    }

    window.setTimeout(poll, delay);
  });
})();
