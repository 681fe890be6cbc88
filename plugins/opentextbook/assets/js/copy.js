/* Copy buttons for citations and attribution text. Plain script, no network: works from disk.
   Buttons start hidden, so a reader without JavaScript sees only the text to select. */
(function () {
  "use strict";

  function copyWithSelection(element) {
    element = element.querySelector("code") || element;
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    return Promise.resolve(copied);
  }

  function copyText(element) {
    var code = element.querySelector("code");
    var text = (code || element).textContent.trim();
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(
        function () { return true; },
        function () { return copyWithSelection(element); }
      );
    }
    return copyWithSelection(element);
  }

  function announce(button, message) {
    var status = button.parentNode.querySelector(".otb-copy__status");
    if (status) {
      status.textContent = message;
      window.setTimeout(function () { status.textContent = ""; }, 4000);
    }
  }

  function setUp(button) {
    var target = document.getElementById(button.getAttribute("data-otb-copy"));
    if (!target) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      copyText(target).then(function (copied) {
        // The words come from the page, in the book's language (copyable.html).
        announce(button, copied ? button.dataset.copied : button.dataset.failed);
      });
    });
  }

  function init() {
    document.querySelectorAll("button[data-otb-copy]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
