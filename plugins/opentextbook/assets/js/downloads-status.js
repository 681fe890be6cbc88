// mkdocs serve only: marks links to downloads that are still being brought up to date.
// The build writes downloads-status.json beside this script; a background job rewrites it as
// each worksheet PDF, packet and whole-book download is finished. "updating": the link serves
// the previous complete version; "pending": there is no version yet, so the link says so.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.fetch) return;
  var statusUrl = new URL("downloads-status.json", script.src);
  var siteRoot = new URL("../../", script.src);
  var NOTE = "otb-download-status";

  function pathOf(href) {
    return new URL(href, document.baseURI).pathname;
  }

  function clear() {
    document.querySelectorAll("." + NOTE).forEach(function (note) { note.remove(); });
    document.querySelectorAll("a[data-otb-pending]").forEach(function (link) {
      link.removeAttribute("data-otb-pending");
      link.removeAttribute("aria-disabled");
    });
  }

  function mark(link, text, pending) {
    var note = document.createElement("span");
    note.className = NOTE;
    note.setAttribute("role", "status");
    note.textContent = " (" + text + ")";
    link.after(note);
    if (pending) {
      link.setAttribute("data-otb-pending", "");
      link.setAttribute("aria-disabled", "true");
    }
  }

  function show(status) {
    clear();
    var states = {};
    (status.updating || []).forEach(function (p) { states[pathOf(new URL(p, siteRoot))] = "updating"; });
    (status.pending || []).forEach(function (p) { states[pathOf(new URL(p, siteRoot))] = "pending"; });
    document.querySelectorAll("a[href]").forEach(function (link) {
      var state = states[pathOf(link.href)];
      if (state === "updating") mark(link, "updating… this link gives the previous version", false);
      if (state === "pending") mark(link, "being made… available in a moment", true);
    });
    if (status.failed) {
      var banner = document.createElement("p");
      banner.className = NOTE + " admonition failure";
      banner.setAttribute("role", "alert");
      banner.textContent = "A download could not be made (see the terminal): " + status.failed;
      var main = document.querySelector("article") || document.body;
      main.prepend(banner);
    }
  }

  function poll() {
    fetch(statusUrl, { cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (!status) return;
        show(status);
        if (!status.finished) setTimeout(poll, 1500);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-otb-pending]");
    if (link) event.preventDefault();  // nothing to download yet: the note beside it says so
  });
  poll();
})();
