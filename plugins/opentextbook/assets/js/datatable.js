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
      th.title = "Sort by this column";
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          th.click();
        }
      });
    });
  }

  function enhanceAll() {
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
