/* Make the book's data tables sortable (tablesort, vendored beside this file) and let a
   keyboard user sort too: each column heading becomes focusable, Enter or Space sorts. */
(function () {
  "use strict";

  function enhance(table) {
    if (table.dataset.otbSorted) return;
    table.dataset.otbSorted = "yes";
    new Tablesort(table);
    table.querySelectorAll("thead th").forEach(function (th) {
      th.tabIndex = 0;
      th.title = table.dataset.sortTitle || "";  // in the book's language (table.html)
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          th.click();
        }
      });
    });
  }

  // A visible, announced hint while a table is wider than its frame ("Scroll sideways to see
  // all 8 columns"); it goes away when the window is wide enough to show the whole table.
  function watchWidth(frame) {
    var table = frame.querySelector("table");
    if (!table || frame.dataset.otbWatched) return;
    frame.dataset.otbWatched = "yes";
    var hint = document.createElement("p");
    hint.className = "otb-datatable__hint";
    // The words come from the page, in the book's language (templates/table.html).
    hint.textContent = frame.dataset.scrollHint || "";
    frame.insertAdjacentElement("beforebegin", hint);
    function update() {
      hint.hidden = frame.scrollWidth <= frame.clientWidth + 1;
    }
    update();
    if (typeof ResizeObserver !== "undefined") {
      var observer = new ResizeObserver(update);
      observer.observe(frame);
      observer.observe(table);
    } else {
      window.addEventListener("resize", update);
    }
  }

  function enhanceAll() {
    document.querySelectorAll(".otb-datatable__scroll").forEach(watchWidth);
    if (typeof Tablesort === "undefined") return;
    document.querySelectorAll("table[data-otb-sortable]").forEach(enhance);
  }

  // Material's instant navigation swaps pages without a load event; document$ covers both.
  if (typeof document$ !== "undefined") {
    document$.subscribe(enhanceAll);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhanceAll);
  } else {
    enhanceAll();
  }
})();
