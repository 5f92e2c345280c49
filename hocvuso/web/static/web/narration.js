/* Record a lesson's narration in the browser (MediaRecorder, compressed Opus) and put the recording into the
   form's file field, so the plain form sends it. Without MediaRecorder the page keeps the file field only. */
(function () {
  "use strict";
  var form = document.querySelector(".narration-form");
  if (!form || !window.MediaRecorder || !navigator.mediaDevices || !window.DataTransfer) {
    return;
  }
  var recorderBox = form.querySelector(".recorder");
  var recordButton = form.querySelector("[data-record]");
  var stopButton = form.querySelector("[data-stop]");
  var status = form.querySelector("[data-recorder-status]");
  var preview = form.querySelector("[data-preview]");
  var input = form.querySelector('input[type="file"][name="audio"]');
  var recorder = null;
  var chunks = [];
  recorderBox.hidden = false;

  function pickType() {
    var types = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/mp4"];
    for (var i = 0; i < types.length; i += 1) {
      if (MediaRecorder.isTypeSupported(types[i])) {
        return types[i];
      }
    }
    return "";
  }

  recordButton.addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      var type = pickType();
      recorder = new MediaRecorder(stream, type ? { mimeType: type, audioBitsPerSecond: 16000 } : {});
      chunks = [];
      recorder.addEventListener("dataavailable", function (event) {
        chunks.push(event.data);
      });
      recorder.addEventListener("stop", function () {
        stream.getTracks().forEach(function (track) {
          track.stop();
        });
        var blob = new Blob(chunks, { type: recorder.mimeType || "audio/webm" });
        var extension = blob.type.indexOf("ogg") >= 0 ? "ogg" : blob.type.indexOf("mp4") >= 0 ? "m4a" : "webm";
        var transfer = new DataTransfer();
        transfer.items.add(new File([blob], "ban-nghe." + extension, { type: blob.type }));
        input.files = transfer.files;
        preview.src = URL.createObjectURL(blob);
        preview.hidden = false;
        status.textContent = form.dataset.readyText;
        recordButton.disabled = false;
        stopButton.disabled = true;
      });
      recorder.start();
      status.textContent = form.dataset.recordingText;
      recordButton.disabled = true;
      stopButton.disabled = false;
    });
  });

  stopButton.addEventListener("click", function () {
    if (recorder && recorder.state === "recording") {
      recorder.stop();
    }
  });
})();
