// Pacer's upload form with progress: progressive enhancement of the files
// page's multipart form. With it, the file is sent as the raw body of the
// media API (streamed by the server, never buffered whole) and its progress
// is shown; without it, the form posts as usual.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  function csrfToken() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }

  function size(n) {
    if (n >= 1 << 30) { return (n / (1 << 30)).toFixed(1) + " GB"; }
    if (n >= 1 << 20) { return (n / (1 << 20)).toFixed(1) + " MB"; }
    return Math.max(1, Math.round(n / 1024)) + " kB";
  }

  ready(function () {
    document.querySelectorAll("form[data-upload]").forEach(function (form) {
      var input = form.querySelector('input[type="file"]');
      var box = form.querySelector("[data-upload-progress]");
      var bar = box && box.querySelector("progress");
      var label = form.querySelector("[data-upload-label]");
      var status = form.querySelector("[data-upload-status]");
      var button = form.querySelector('button[type="submit"]');
      var max = parseInt(form.getAttribute("data-max-bytes"), 10) || 0;

      function say(text, isError) {
        if (!status) { return; }
        status.textContent = text;
        status.classList.toggle("upload__status--error", !!isError);
      }
      function done() {
        if (button) { setTimeout(function () { button.disabled = false; }, 0); }
      }

      form.addEventListener("submit", function (ev) {
        if (!input || !input.files || input.files.length !== 1 || !window.XMLHttpRequest) { return; }
        ev.preventDefault();
        var file = input.files[0];
        if (max && file.size > max) {
          say("“" + file.name + "” is " + size(file.size) + "; the largest upload is " + size(max) + ".", true);
          done();
          return;
        }
        var xhr = new XMLHttpRequest();
        xhr.open("POST", form.getAttribute("data-upload-url") + "?filename=" + encodeURIComponent(file.name));
        xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
        xhr.setRequestHeader("Accept", "application/json");
        xhr.setRequestHeader("X-CSRF-Token", csrfToken());
        if (box) { box.hidden = false; }
        say("Uploading “" + file.name + "”…");
        xhr.upload.addEventListener("progress", function (e) {
          if (!e.lengthComputable) { return; }
          var pct = Math.floor(e.loaded / e.total * 100);
          if (bar) { bar.value = pct; }
          if (label) { label.textContent = pct + " % · " + size(e.loaded) + " of " + size(e.total); }
        });
        xhr.addEventListener("load", function () {
          var data = null;
          try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
          if (xhr.status === 201 && data && data.id) {
            say("Uploaded. Checking the file…");
            var url = window.location.pathname + "?uploaded=" + data.id;
            var module = new URLSearchParams(window.location.search).get("module");
            if (module) { url += "&module=" + encodeURIComponent(module); }
            window.location.assign(url + "#media-" + data.id);
            return;
          }
          var msg = data && data.error && data.error.message ? data.error.message : "the server answered " + xhr.status;
          say("The upload failed: " + msg, true);
          if (box) { box.hidden = true; }
          done();
        });
        xhr.addEventListener("error", function () {
          say("The upload failed: the connection was lost. Try again.", true);
          if (box) { box.hidden = true; }
          done();
        });
        xhr.send(file);
      });
    });
  });
})();
