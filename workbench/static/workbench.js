/* The workbench page, made a little better with JavaScript (it works without: the form posts to /).
   Typing in the text box checks the text again 600 ms after the last key (POST /check) and replaces
   the result; the short status line (role="status") tells a screen reader what changed, never the
   whole result. After a plain submit, focus goes to the problem or to the result. No other requests. */
(function () {
  "use strict";
  var DELAY = 600;
  var form = document.getElementById("tjek");
  var box = document.getElementById("tekst");
  var results = document.getElementById("resultat");
  var status = document.getElementById("status");
  if (!form || !box || !results || !status || !window.fetch || !window.URLSearchParams) {
    return;
  }
  var timer = null;
  var running = null;
  var last = box.value + "\u0000" + profile();

  function profile() {
    var chosen = form.querySelector('input[name="profile"]:checked');
    return chosen ? chosen.value : "";
  }

  function check() {
    var key = box.value + "\u0000" + profile();
    if (key === last || !box.value.trim()) {
      return;
    }
    last = key;
    if (running) {
      running.abort();
    }
    running = window.AbortController ? new AbortController() : null;
    var body = new URLSearchParams();
    body.set("text", box.value);
    body.set("profile", profile());
    fetch("/check", {method: "POST", body: body, credentials: "same-origin",
                     signal: running ? running.signal : undefined})
      .then(function (response) { return response.text(); })
      .then(function (html) {
        results.innerHTML = html;         /* made by the server, every text in it escaped */
        var said = results.querySelector("[data-status]");
        status.textContent = said ? said.getAttribute("data-status") : "";
      })
      .catch(function (error) {
        if (error.name !== "AbortError") {
          status.textContent = form.getAttribute("data-failed") || "";
          last = null;
        }
      });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, DELAY);
  }

  box.addEventListener("input", later);
  form.addEventListener("change", function (event) {
    if (event.target.name === "profile") {
      later();
    }
  });
  var hint = document.getElementById("live-hjaelp");
  if (hint) {
    hint.hidden = false;
  }
  var target = document.getElementById("fejl") ||
      (form.hasAttribute("data-submitted") ? document.getElementById("resultat-overskrift") : null);
  if (target) {
    target.focus();
  }
}());
