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

  // On a phone the account and the main navigation fold behind the menu button (the header keeps to a quarter of
  // the screen). The page arrives folded (site.css shows the button only where scripts run); this opens it.
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector("[data-menu-button]");
    var header = button && button.closest("header");
    if (!header) {
      return;
    }
    function setOpen(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      header.classList.toggle("menu-closed", !open);
    }
    setOpen(false);
    header.classList.add("menu-scripted");
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    header.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true" && button.offsetParent) {
        setOpen(false);
        button.focus();
      }
    });
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
  // A lesson's narration: one plain "Nghe" button plays it and pauses it (the player stays for seeking).
  Array.prototype.forEach.call(document.querySelectorAll("[data-listen]"), function (button) {
    var audio = document.getElementById(button.dataset.listen);
    if (!audio) {
      return;
    }
    var listenText = button.textContent;
    button.parentNode.hidden = false;
    button.addEventListener("click", function () {
      if (audio.paused) {
        audio.play();
      } else {
        audio.pause();
      }
    });
    audio.addEventListener("play", function () {
      button.textContent = button.dataset.pauseText;
    });
    audio.addEventListener("pause", function () {
      button.textContent = listenText;
    });
  });
})();
