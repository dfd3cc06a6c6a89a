/* Similar threads: while someone types a new thread's title, ask /search/similar (a GET, a
   moment after they stop typing) for up to five threads they may see that share its words, and
   list them under the title, so the answer can be found before the question is asked again.
   The list is built with textContent only. Without this script the form works as before. */
(function () {
  "use strict";

  var DELAY_MS = 400;
  var MIN_CHARS = 3;

  function setUp(box) {
    var form = box.closest("form");
    var input = form && form.querySelector('[name="' + box.getAttribute("data-similar-for") + '"]');
    var list = box.querySelector("[data-similar-list]");
    if (!input || !list || !window.fetch) {
      return;
    }
    var timer = null;
    var asked = "";
    var latest = 0;

    function show(threads) {
      list.textContent = "";
      threads.forEach(function (thread) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = thread.url;
        link.textContent = thread.title;
        // Opens beside the draft, which stays as typed.
        link.target = "_blank";
        link.rel = "noopener";
        var meta = document.createElement("span");
        meta.className = "similar-meta";
        meta.textContent =
          " · " + thread.kind_label + " in " + thread.board + (thread.is_solved ? " · solved" : "");
        item.appendChild(link);
        item.appendChild(meta);
        list.appendChild(item);
      });
      box.hidden = threads.length === 0;
    }

    function ask() {
      var title = input.value.trim();
      if (title === asked) {
        return;
      }
      asked = title;
      if (title.length < MIN_CHARS) {
        show([]);
        return;
      }
      var mine = ++latest;
      var url = box.getAttribute("data-similar-url") + "?title=" + encodeURIComponent(title);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : { threads: [] };
        })
        .then(function (body) {
          // An older answer arriving after a newer one is dropped.
          if (mine === latest) {
            show(body.threads || []);
          }
        })
        .catch(function () {
          if (mine === latest) {
            show([]);
          }
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, DELAY_MS);
    });
    if (input.value.trim()) {
      ask();
    }
  }

  document.querySelectorAll("[data-similar-url]").forEach(setUp);
})();
