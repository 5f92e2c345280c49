/* Học Vụ Số — small progressive enhancements; every page works without this file. */
(function () {
  "use strict";

  // After following the skip link, or on pages that show an error, move focus to the main content.
  document.addEventListener("DOMContentLoaded", function () {
    var firstError = document.querySelector("[data-focus-on-load]");
    if (firstError) {
      firstError.focus();
    }
  });

  // A form whose button says it is busy is not sent twice (slow connections).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.submitting === "1") {
      event.preventDefault();
      return;
    }
    if (form.method && form.method.toLowerCase() === "post") {
      form.dataset.submitting = "1";
      window.setTimeout(function () {
        form.dataset.submitting = "";
      }, 8000);
    }
  });
})();
