// Registry pages: show progress while an import is checked or applied, and stop double submits.
(function () {
  "use strict";
  document.querySelectorAll("form[data-registry-progress]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var progress = form.querySelector(".registry-progress");
      var button = form.querySelector("button[type=submit]");
      if (progress) {
        progress.hidden = false;
        var label = progress.querySelector("span");
        if (label) { label.textContent = form.getAttribute("data-registry-progress"); }
      }
      if (button) {
        // Disable after the submit is under way, so the button's own value still goes out.
        window.setTimeout(function () { button.disabled = true; }, 0);
      }
    });
  });
})();
