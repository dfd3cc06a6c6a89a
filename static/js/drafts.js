/* Drafts: a writing form marked data-draft-url keeps what is typed as the person's draft, saved
   a couple of seconds after they stop typing (a POST to that address), so it follows them to another
   device. A form that opens empty is filled from the draft (the new-thread and reply pages do
   that on the server already; the thread page's reply form gets it here). Without this script
   the forms' "Save draft" button does the same with a plain POST. */
(function () {
  "use strict";

  var DELAY_MS = 2000;

  function field(form, name) {
    return form.querySelector('[name="' + name + '"]');
  }

  function value(form, name) {
    var input = field(form, name);
    return input ? input.value : null;
  }

  function say(form, text) {
    var status = form.querySelector("[data-draft-status]");
    if (status) {
      status.textContent = text;
    }
  }

  function markDrafted(form) {
    var flag = form.querySelector("[data-draft-flag]");
    if (flag) {
      flag.value = "1";
    }
  }

  function save(form) {
    var data = new FormData();
    data.append("csrf_token", value(form, "csrf_token") || "");
    ["body", "title", "kind", "tags"].forEach(function (name) {
      var current = value(form, name);
      if (current !== null) {
        data.append(name, current);
      }
    });
    fetch(form.dataset.draftUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      if (response.ok) {
        markDrafted(form);
        say(form, "Draft saved.");
      }
    }).catch(function () {
      /* Offline or refused: the text stays in the form, and "Save draft" still works. */
    });
  }

  function fill(form) {
    var body = field(form, "body");
    if (!body || body.value.trim() !== "") {
      return;
    }
    fetch(form.dataset.draftUrl, {
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (answer) {
      if (!answer || !answer.draft || body.value.trim() !== "") {
        return;
      }
      body.value = answer.draft.body;
      markDrafted(form);
      say(form, "Your draft is back. Posting it removes the draft.");
    }).catch(function () {});
  }

  document.querySelectorAll("form[data-draft-url]").forEach(function (form) {
    var timer = null;
    if (!form.querySelector(".draft-note")) {
      fill(form);
    }
    form.addEventListener("input", function (event) {
      if (event.target && event.target.type === "file") {
        return;
      }
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        save(form);
      }, DELAY_MS);
    });
    form.addEventListener("submit", function () {
      window.clearTimeout(timer);
    });
  });
})();
