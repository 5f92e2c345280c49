/* Học Vụ Số — reading a QR code with the camera (a learner's card, "HVS1:" + a signed id), as window.HVSQrScan.

   API (small on purpose; the field app may call it too):
     HVSQrScan.supported()        → true when the browser can open a camera at all (navigator.mediaDevices).
     HVSQrScan.start(video, opts) → Promise of the text of the first QR code seen. Asks for the camera (the rear one
                                    when there is a choice) only now, shows it in the <video> element `video`, and
                                    stops the camera when done. Rejects with an Error whose `name` says why:
                                    "NotAllowedError" (permission refused), "NotFoundError" (no camera),
                                    "NotSupportedError" (no camera API, or no decoder could be loaded),
                                    "AbortError" (stop() was called). One scan at a time: a new start() stops
                                    the one going on.
                                    opts.decoder: the URL of the vendored jsQR (vendor/jsqr/jsQR.js); by default
                                    the data-jsqr attribute of this script's tag.
     HVSQrScan.stop()             → stops the camera and rejects a pending start() with "AbortError".

   Decoding uses the browser's BarcodeDetector when it knows QR codes; otherwise jsQR, fetched from this site the
   first time it is needed (never from the internet).

   The page part: a button with data-qr-scan="<id of a text field>" (hidden until this file runs, so a browser
   without JavaScript keeps the plain field) opens the camera in the <video> named by data-qr-video, fills the field
   with what it reads and, with data-qr-submit, sends the field's form. Without a camera, or when the permission is
   refused, the message of the button's data-qr-no-camera / data-qr-denied attribute is shown in the element named by
   data-qr-status and the text field stays as it is (a typing scanner or a pasted code still works). */
(function () {
  "use strict";

  var script = document.currentScript;
  var defaultDecoder = script && script.getAttribute("data-jsqr");
  var current = null; // {stream, video, reject, timer, done}
  var jsqrLoading = null;

  function error(name, message) {
    var failure = new Error(message || name);
    failure.name = name;
    return failure;
  }

  function supported() {
    return !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
  }

  function loadJsqr(url) {
    if (typeof window.jsQR === "function") {
      return Promise.resolve(window.jsQR);
    }
    if (!url) {
      return Promise.reject(error("NotSupportedError", "no QR decoder"));
    }
    if (!jsqrLoading) {
      jsqrLoading = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = url;
        tag.addEventListener("load", function () {
          if (typeof window.jsQR === "function") {
            resolve(window.jsQR);
          } else {
            reject(error("NotSupportedError", "jsQR did not load"));
          }
        });
        tag.addEventListener("error", function () {
          jsqrLoading = null;
          reject(error("NotSupportedError", "jsQR did not load"));
        });
        document.head.appendChild(tag);
      });
    }
    return jsqrLoading;
  }

  // A function (video) → Promise of the text read in the current frame, or null.
  function makeDecoder(url) {
    var Detector = window.BarcodeDetector;
    var native = Detector && typeof Detector.getSupportedFormats === "function"
      ? Detector.getSupportedFormats().then(function (formats) {
          return formats.indexOf("qr_code") >= 0 ? new Detector({ formats: ["qr_code"] }) : null;
        }, function () { return null; })
      : Promise.resolve(null);
    return native.then(function (detector) {
      if (detector) {
        return function (video) {
          return detector.detect(video).then(function (codes) {
            return codes.length ? codes[0].rawValue : null;
          });
        };
      }
      return loadJsqr(url).then(function (jsQR) {
        var canvas = document.createElement("canvas");
        var context = canvas.getContext("2d", { willReadFrequently: true });
        return function (video) {
          var width = video.videoWidth;
          var height = video.videoHeight;
          if (!width || !height) {
            return Promise.resolve(null);
          }
          // A smaller copy of large frames: quicker, and a card held up to the camera stays readable.
          var scale = Math.min(1, 640 / Math.max(width, height));
          canvas.width = Math.round(width * scale);
          canvas.height = Math.round(height * scale);
          context.drawImage(video, 0, 0, canvas.width, canvas.height);
          var pixels = context.getImageData(0, 0, canvas.width, canvas.height);
          var found = jsQR(pixels.data, canvas.width, canvas.height, { inversionAttempts: "dontInvert" });
          return Promise.resolve(found && found.data ? found.data : null);
        };
      });
    });
  }

  function finish(scan) {
    if (scan.done) {
      return;
    }
    scan.done = true;
    window.clearTimeout(scan.timer);
    if (scan.stream) {
      scan.stream.getTracks().forEach(function (track) { track.stop(); });
    }
    if (scan.video) {
      scan.video.pause();
      scan.video.srcObject = null;
    }
    if (current === scan) {
      current = null;
    }
  }

  function stop() {
    var scan = current;
    if (scan) {
      finish(scan);
      scan.reject(error("AbortError", "stopped"));
    }
  }

  function start(video, options) {
    stop();
    var decoderUrl = (options && options.decoder) || defaultDecoder;
    if (!supported()) {
      return Promise.reject(error("NotSupportedError", "no camera API"));
    }
    return new Promise(function (resolve, reject) {
      var scan = { stream: null, video: video, reject: reject, timer: 0, done: false };
      current = scan;
      var constraints = { video: { facingMode: { ideal: "environment" } }, audio: false };
      navigator.mediaDevices.getUserMedia(constraints).then(function (stream) {
        if (scan.done) {
          stream.getTracks().forEach(function (track) { track.stop(); });
          return null;
        }
        scan.stream = stream;
        video.setAttribute("playsinline", "");
        video.muted = true;
        video.srcObject = stream;
        return Promise.all([video.play(), makeDecoder(decoderUrl)]).then(function (results) {
          var decode = results[1];
          function look() {
            if (scan.done) {
              return;
            }
            decode(video).then(function (text) {
              if (scan.done) {
                return;
              }
              if (text) {
                finish(scan);
                resolve(text);
              } else {
                scan.timer = window.setTimeout(look, 150);
              }
            }, function () {
              scan.timer = window.setTimeout(look, 300);
            });
          }
          look();
        });
      }).catch(function (failure) {
        if (scan.done) {
          return;
        }
        finish(scan);
        var name = failure && failure.name;
        if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError") {
          reject(error("NotAllowedError", failure.message));
        } else if (name === "NotFoundError" || name === "OverconstrainedError" || name === "NotReadableError" ||
                   name === "DevicesNotFoundError") {
          reject(error("NotFoundError", failure.message));
        } else {
          reject(error(name || "NotSupportedError", failure && failure.message));
        }
      });
    });
  }

  window.HVSQrScan = { supported: supported, start: start, stop: stop };

  // --- the page part: buttons with data-qr-scan -------------------------------------------------------------------

  function wire(button) {
    var field = document.getElementById(button.getAttribute("data-qr-scan"));
    var video = document.getElementById(button.getAttribute("data-qr-video"));
    var status = document.getElementById(button.getAttribute("data-qr-status"));
    if (!field || !video) {
      return;
    }
    var label = button.textContent;
    function say(text) {
      if (status) {
        status.textContent = text || "";
      }
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      if (current) { // a second press closes the camera
        stop();
        return;
      }
      if (!supported()) {
        say(button.getAttribute("data-qr-no-camera"));
        field.focus();
        return;
      }
      video.hidden = false;
      button.textContent = button.getAttribute("data-qr-stop") || label;
      say(button.getAttribute("data-qr-looking"));
      start(video).then(function (text) {
        field.value = text;
        say(button.getAttribute("data-qr-read"));
        if (button.hasAttribute("data-qr-submit") && field.form) {
          if (typeof field.form.requestSubmit === "function") {
            field.form.requestSubmit();
          } else {
            field.form.submit();
          }
        }
      }, function (failure) {
        if (failure.name === "NotAllowedError") {
          say(button.getAttribute("data-qr-denied"));
        } else if (failure.name !== "AbortError") {
          say(button.getAttribute("data-qr-no-camera"));
        } else {
          say("");
        }
        field.focus();
      }).then(function () {
        video.hidden = true;
        button.textContent = label;
      });
    });
  }

  function wireAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-qr-scan]"), wire);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wireAll);
  } else {
    wireAll();
  }
})();
