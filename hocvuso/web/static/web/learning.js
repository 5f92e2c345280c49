/* Học Vụ Số — the attempt page: save each answer as it is given, and count down to the deadline.
   Without this file the page still works: the form sends every answer when it is submitted. */
(function () {
  "use strict";

  var form = document.getElementById("attempt-form");
  if (!form) {
    return;
  }
  var answerUrl = form.dataset.answerUrl;
  var tokenInput = form.querySelector("input[name=csrfmiddlewaretoken]");
  var countNode = form.querySelector("[data-answered-count]");
  var states = {};

  function fieldsetAnswer(fieldset) {
    var widget = fieldset.dataset.widget;
    if (widget === "radio") {
      var chosen = fieldset.querySelector("input[type=radio]:checked");
      return { value: chosen ? chosen.value : null };
    }
    if (widget === "checkbox") {
      var ticked = Array.prototype.map.call(fieldset.querySelectorAll("input[type=checkbox]:checked"), function (box) {
        return box.value;
      });
      return { value: ticked.length ? ticked : null };
    }
    var selects = Array.prototype.slice.call(fieldset.querySelectorAll("select"));
    var values = selects.map(function (select) {
      return select.value;
    });
    var filled = values.filter(function (value) {
      return value !== "";
    });
    if (widget === "matching") {
      return {
        value: filled.length
          ? values.map(function (value) {
              return value === "" ? null : value;
            })
          : null,
      };
    }
    // Ordering: every item needs its own place before the order means anything.
    if (!filled.length) {
      return { value: null };
    }
    if (filled.length < values.length) {
      return { incomplete: true };
    }
    var places = {};
    for (var index = 0; index < values.length; index += 1) {
      if (places[values[index]] !== undefined) {
        return { incomplete: true };
      }
      places[values[index]] = index;
    }
    var keys = selects.map(function (select) {
      return { key: select.name.split("-").pop(), place: parseInt(select.value, 10) };
    });
    keys.sort(function (first, second) {
      return first.place - second.place;
    });
    return {
      value: keys.map(function (entry) {
        return entry.key;
      }),
    };
  }

  function note(fieldset, text, isError) {
    var node = fieldset.querySelector("[data-save-note]");
    if (node) {
      node.textContent = text;
      node.classList.toggle("save-error", Boolean(isError));
    }
  }

  function refreshCount() {
    if (!countNode) {
      return;
    }
    var answered = 0;
    Array.prototype.forEach.call(form.querySelectorAll("fieldset[data-question]"), function (fieldset) {
      var answer = fieldsetAnswer(fieldset);
      if (answer.value !== null && answer.value !== undefined) {
        answered += 1;
      }
    });
    countNode.textContent = String(answered);
  }

  function save(fieldset) {
    var question = fieldset.dataset.question;
    var state = states[question] || (states[question] = { busy: false, again: false });
    if (state.busy) {
      state.again = true; // send the latest answer once the one in flight is answered, never out of order
      return;
    }
    var answer = fieldsetAnswer(fieldset);
    if (answer.incomplete) {
      return;
    }
    state.busy = true;
    note(fieldset, form.dataset.savingText, false);
    window
      .fetch(answerUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          "X-CSRFToken": tokenInput ? tokenInput.value : "",
          "X-Requested-With": "fetch",
        },
        body: JSON.stringify({ question: parseInt(question, 10), answer: answer.value }),
      })
      .then(function (response) {
        return response.json().then(
          function (body) {
            return { ok: response.ok, body: body };
          },
          function () {
            return { ok: false, body: {} };
          }
        );
      })
      .then(
        function (result) {
          if (result.ok) {
            note(fieldset, answer.value === null ? "" : form.dataset.savedText, false);
          } else {
            note(fieldset, result.body.error || form.dataset.offlineText, true);
          }
        },
        function () {
          note(fieldset, form.dataset.offlineText, true);
        }
      )
      .then(function () {
        state.busy = false;
        if (state.again) {
          state.again = false;
          save(fieldset);
        }
      });
  }

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset[data-question]");
    if (fieldset) {
      refreshCount();
      save(fieldset);
    }
  });

  // The countdown: the server's deadline is the one that counts; this only shows it.
  var timer = document.querySelector("[data-seconds-left]");
  if (!timer) {
    return;
  }
  var secondsLeft = parseInt(timer.dataset.secondsLeft, 10);
  if (isNaN(secondsLeft)) {
    return;
  }
  var endsAt = Date.now() + secondsLeft * 1000;
  var display = timer.querySelector("[data-countdown]");
  var announcer = timer.querySelector("[data-time-announcer]");
  var wrapper = timer.querySelector(".countdown");
  var announced = {};
  var submitted = false;
  if (wrapper) {
    wrapper.hidden = false;
  }

  function pad(number) {
    return number < 10 ? "0" + number : String(number);
  }

  function tick() {
    var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    var hours = Math.floor(left / 3600);
    var minutes = Math.floor((left % 3600) / 60);
    var seconds = left % 60;
    if (display) {
      display.textContent = (hours ? hours + ":" + pad(minutes) : String(minutes)) + ":" + pad(seconds);
    }
    [5, 1].forEach(function (mark) {
      if (left <= mark * 60 && left > 0 && !announced[mark] && secondsLeft > mark * 60) {
        announced[mark] = true;
        if (announcer) {
          announcer.textContent = form.dataset.minutesLeftText.replace("{minutes}", String(mark));
        }
      }
    });
    if (left === 0 && !submitted) {
      submitted = true;
      if (announcer) {
        announcer.textContent = form.dataset.timeUpText;
      }
      if (secondsLeft > 0) {
        // time is up: submit as it stands, without asking about questions left blank
        var confirm = document.createElement("input");
        confirm.type = "hidden";
        confirm.name = "nop_khi_con_cau_trong";
        confirm.value = "1";
        form.appendChild(confirm);
        form.submit();
      }
      return;
    }
    window.setTimeout(tick, 1000);
  }

  tick();
})();
