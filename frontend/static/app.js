// Pacer's page script. Progressive enhancement only: every page works without
// it. Features add small, self-contained blocks here (or their own file in
// static/ with a <script defer> in their page's "head" block).
(function () {
  "use strict";

  // Pacer.api calls the JSON API with the page's cookie session. Unsafe
  // methods carry the CSRF token from <meta name="csrf-token">, which the API
  // requires for cookie-authenticated requests.
  function csrfToken() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }

  function api(method, url, body) {
    var headers = { "Accept": "application/json" };
    if (method !== "GET" && method !== "HEAD") {
      headers["X-CSRF-Token"] = csrfToken();
    }
    var init = { method: method, headers: headers, credentials: "same-origin" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (res) {
      if (res.status === 204) { return null; }
      return res.json().then(function (data) {
        if (!res.ok) {
          var err = new Error((data && data.error && data.error.message) || res.statusText);
          err.status = res.status;
          err.code = data && data.error && data.error.code;
          throw err;
        }
        return data;
      });
    });
  }

  window.Pacer = { api: api, csrfToken: csrfToken };

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  ready(function () {
    // Flash messages get a close button.
    document.querySelectorAll("[data-flash] [data-dismiss]").forEach(function (btn) {
      btn.hidden = false;
      btn.addEventListener("click", function () {
        var box = btn.closest("[data-flash]");
        if (box) { box.remove(); }
      });
    });

    // Password fields get a show/hide toggle.
    document.querySelectorAll("[data-toggle-password]").forEach(function (btn) {
      var input = document.getElementById(btn.getAttribute("data-toggle-password"));
      if (!input) { return; }
      btn.hidden = false;
      btn.setAttribute("aria-pressed", "false");
      btn.setAttribute("aria-controls", input.id);
      btn.addEventListener("click", function () {
        var show = input.type === "password";
        input.type = show ? "text" : "password";
        btn.textContent = show ? "Hide" : "Show";
        btn.setAttribute("aria-pressed", show ? "true" : "false");
      });
    });

    // Forms with data-confirm ask before they submit.
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (ev) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { ev.preventDefault(); }
      });
    });

    // A submit button is disabled while its form is being sent, so a double
    // click does not post twice.
    document.querySelectorAll("form").forEach(function (form) {
      form.addEventListener("submit", function (ev) {
        if (ev.defaultPrevented) { return; }
        var btn = form.querySelector('button[type="submit"], button:not([type])');
        if (btn) { setTimeout(function () { btn.disabled = true; }, 0); }
      });
    });

    // Markdown editors get a Preview button that renders the text exactly
    // as a post would be (the server renders and sanitises it), so the
    // preview may be shown as HTML.
    document.querySelectorAll("[data-md-preview]").forEach(function (btn) {
      var input = document.getElementById(btn.getAttribute("data-md-preview"));
      var out = document.getElementById(btn.getAttribute("aria-controls"));
      if (!input || !out) { return; }
      btn.hidden = false;
      btn.addEventListener("click", function () {
        if (!out.hidden && btn.getAttribute("aria-expanded") === "true") {
          out.hidden = true;
          btn.setAttribute("aria-expanded", "false");
          btn.textContent = "Preview";
          return;
        }
        btn.disabled = true;
        api("POST", "/api/v1/markdown/preview", { body: input.value }).then(function (res) {
          out.innerHTML = res.html || "<p>Nothing to preview yet.</p>";
        }, function (err) {
          out.textContent = "The preview failed: " + err.message;
        }).then(function () {
          out.hidden = false;
          btn.disabled = false;
          btn.setAttribute("aria-expanded", "true");
          btn.textContent = "Hide preview";
        });
      });
    });

    // A timed quiz attempt shows the time left. The server's clock is the
    // truth: the page says when it was rendered, and the countdown runs
    // from the difference to this device's clock. When the time is up the
    // page reloads, and the server submits the attempt with what was saved.
    document.querySelectorAll("[data-countdown]").forEach(function (box) {
      var closes = Date.parse(box.getAttribute("data-closes"));
      var skew = Date.parse(box.getAttribute("data-now")) - Date.now();
      var out = box.querySelector("[data-countdown-left]");
      if (isNaN(closes) || isNaN(skew) || !out) { return; }
      var timer;
      function tick() {
        var left = Math.max(0, Math.round((closes - (Date.now() + skew)) / 1000));
        var m = Math.floor(left / 60), s = left % 60;
        out.textContent = left > 0 ? (m + ":" + (s < 10 ? "0" : "") + s + " left.") : "Time is up.";
        // Screen readers hear the time at each minute and in the last
        // minute's final seconds, not every tick.
        box.setAttribute("aria-live", (s === 0 || left <= 10) ? "polite" : "off");
        if (left === 0) {
          clearInterval(timer);
          setTimeout(function () { window.location.reload(); }, 1500);
        }
      }
      tick();
      timer = setInterval(tick, 1000);
    });

    // A field with an error gets the focus, so keyboard and screen-reader
    // users land where the fix is needed.
    var invalid = document.querySelector('[aria-invalid="true"]');
    if (invalid) { invalid.focus(); }
  });
})();
