// Pacer's lecture player: progressive enhancement of the <video> on a
// lecture page, which plays, seeks and shows captions without it.
//
// It reports the spans the learner actually played (every ~10 s, and on
// pause, seek, end and leaving the page) to the watch API, which merges them
// and decides completion; a seek is never reported as watching. It also
// resumes where the learner stopped, offers playback speeds, draws the
// watched bar and the completion as they change, and links the transcript
// to the video.
(function () {
  "use strict";

  var REPORT_MS = 10000;

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  function csrfToken() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }

  function clock(sec) {
    sec = Math.max(0, Math.floor(sec));
    var h = Math.floor(sec / 3600), m = Math.floor(sec / 60) % 60, s = sec % 60;
    var ss = (s < 10 ? "0" : "") + s;
    if (h > 0) { return h + ":" + (m < 10 ? "0" : "") + m + ":" + ss; }
    return m + ":" + ss;
  }

  function round(x) { return Math.round(x * 1000) / 1000; }

  ready(function () {
    var root = document.querySelector("[data-player]");
    if (!root) { return; }
    var video = root.querySelector("video");
    if (!video) { return; }
    var watchURL = root.getAttribute("data-watch-url");
    var duration = parseFloat(root.getAttribute("data-duration")) || 0;
    var resume = parseFloat(root.getAttribute("data-resume")) || 0;
    var completed = root.getAttribute("data-completed") === "true";
    var status = root.querySelector("[data-player-status]");
    var bar = root.querySelector("[data-watched-bar]");
    var head = root.querySelector("[data-playhead]");
    var reports = 0;

    // ---- resume ----
    // The #t= fragment of the video's URL already starts there; this
    // covers browsers that ignore it.
    function applyResume() {
      if (resume > 0 && video.currentTime < 0.5) { video.currentTime = resume; }
    }
    if (video.readyState >= 1) { applyResume(); } else { video.addEventListener("loadedmetadata", applyResume, { once: true }); }

    // ---- playback speed ----
    var speed = root.querySelector("[data-speed]");
    if (speed) {
      var wrap = root.querySelector("[data-speed-wrap]");
      if (wrap) { wrap.hidden = false; }
      var saved = null;
      try { saved = window.localStorage.getItem("pacer.speed"); } catch (e) { saved = null; }
      if (saved && speed.querySelector('option[value="' + saved + '"]')) { speed.value = saved; }
      var applySpeed = function () { video.playbackRate = parseFloat(speed.value) || 1; };
      applySpeed();
      video.addEventListener("loadedmetadata", applySpeed);
      speed.addEventListener("change", function () {
        applySpeed();
        try { window.localStorage.setItem("pacer.speed", speed.value); } catch (e) { /* private mode */ }
      });
    }

    // ---- watched bar and status ----
    function drawBar(spans) {
      if (!bar || !duration) { return; }
      while (bar.firstChild) { bar.removeChild(bar.firstChild); }
      spans.forEach(function (s) {
        var r = document.createElementNS("http://www.w3.org/2000/svg", "rect");
        r.setAttribute("x", (s[0] / duration * 1000).toFixed(1));
        r.setAttribute("width", ((s[1] - s[0]) / duration * 1000).toFixed(1));
        r.setAttribute("height", "8");
        bar.appendChild(r);
      });
    }

    function showState(res) {
      drawBar(res.spans || []);
      var pct = Math.floor((res.watched_ratio || 0) * 100);
      var svg = bar && bar.ownerSVGElement;
      if (svg) { svg.setAttribute("aria-label", "Watched " + pct + " %"); }
      if (status) {
        status.textContent = "Watched " + pct + " %" + (res.completed ? " · Completed" : "");
      }
      if (res.completed && !completed) {
        completed = true;
        root.setAttribute("data-completed", "true");
        var badge = document.querySelector("[data-item-status]");
        if (badge) {
          badge.textContent = "Completed";
          badge.className = "badge badge--completed";
        }
        if (status) { status.textContent = "Watched " + pct + " % · Completed — well done!"; }
      }
    }

    video.addEventListener("timeupdate", function () {
      if (head && duration) { head.setAttribute("x", (Math.min(video.currentTime, duration) / duration * 1000 - 2).toFixed(1)); }
    });

    // ---- span reports ----
    var spanStart = null; // media time the current played span began
    var spanWall = 0;     // wall time it began
    var last = 0;         // last media time seen while playing

    function report(from, to, keepalive) {
      if (!watchURL) { return; }
      var end = duration > 0 ? Math.min(to, duration) : to;
      if (!(end > from + 0.05)) { return; }
      var body = JSON.stringify({ from_seconds: round(Math.max(0, from)), to_seconds: round(end), position_seconds: round(end) });
      var req = fetch(watchURL, {
        method: "POST",
        credentials: "same-origin",
        keepalive: !!keepalive,
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrfToken() },
        body: body
      });
      req.then(function (res) { return res.ok ? res.json() : null; }).then(function (res) {
        if (!res) { return; }
        reports++;
        root.setAttribute("data-reports", String(reports));
        showState(res);
      }).catch(function () { /* the next report carries on */ });
    }

    function begin() {
      spanStart = video.currentTime;
      spanWall = Date.now();
      last = spanStart;
    }

    // close ends the current span at media time `to` and reports it.
    function close(to, keepalive) {
      if (spanStart === null) { return; }
      var from = spanStart;
      spanStart = null;
      report(from, to, keepalive);
    }

    video.addEventListener("playing", begin);
    video.addEventListener("timeupdate", function () {
      if (spanStart === null || video.paused || video.seeking) { return; }
      var t = video.currentTime;
      var rate = Math.max(1, video.playbackRate);
      // A jump the browser did not announce as a seek ends the span.
      if (t < last - 0.5 || t - last > 2 * rate + 1) {
        close(last);
        begin();
        return;
      }
      last = t;
      if (Date.now() - spanWall >= REPORT_MS) {
        close(t);
        begin();
      }
    });
    // When seeking starts, currentTime is already the target: the span
    // ends where playback last was.
    video.addEventListener("seeking", function () { close(last); });
    video.addEventListener("seeked", function () { if (!video.paused) { begin(); } });
    video.addEventListener("pause", function () { close(video.currentTime); });
    video.addEventListener("ended", function () { close(video.duration || last); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden" && spanStart !== null) {
        close(video.currentTime, true);
        if (!video.paused) { begin(); }
      }
    });
    window.addEventListener("pagehide", function () { close(video.currentTime, true); });

    // ---- transcript ----
    var list = document.querySelector("[data-transcript]");
    if (list) {
      var lines = Array.prototype.slice.call(list.querySelectorAll("li[data-start]"));
      lines.forEach(function (li) {
        var time = li.querySelector(".transcript__time");
        if (!time) { return; }
        var btn = document.createElement("button");
        btn.type = "button";
        btn.className = "transcript__seek";
        btn.textContent = time.textContent;
        btn.setAttribute("aria-label", "Play from " + time.textContent);
        btn.addEventListener("click", function () {
          video.currentTime = parseFloat(li.getAttribute("data-start")) || 0;
          video.play();
        });
        time.replaceWith(btn);
      });
      var current = null;
      video.addEventListener("timeupdate", function () {
        var t = video.currentTime, found = null;
        for (var i = 0; i < lines.length; i++) {
          if (t >= parseFloat(lines[i].getAttribute("data-start")) && t < parseFloat(lines[i].getAttribute("data-end"))) { found = lines[i]; break; }
        }
        if (found === current) { return; }
        if (current) { current.classList.remove("is-current"); current.removeAttribute("aria-current"); }
        if (found) { found.classList.add("is-current"); found.setAttribute("aria-current", "true"); }
        current = found;
      });
    }
  });
})();
