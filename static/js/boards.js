/* Boards: live Markdown preview for post editors. The forms work without it (the Preview
   button submits the form and the server renders the preview); this only avoids the round trip. */
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form.querySelector('input[name="csrf_token"]');
    return input ? input.value : "";
  }

  function showPreview(target, html) {
    target.textContent = "";
    var heading = document.createElement("h2");
    heading.className = "preview-heading";
    heading.textContent = "Preview";
    var body = document.createElement("div");
    body.className = "post-body";
    /* The server returns HTML sanitized by the same allow-list as saved posts. */
    body.innerHTML = html;
    target.appendChild(heading);
    target.appendChild(body);
    target.classList.remove("is-empty");
  }

  function showMessage(target, text) {
    target.textContent = "";
    var message = document.createElement("p");
    message.className = "preview-note";
    message.textContent = text;
    target.appendChild(message);
    target.classList.remove("is-empty");
  }

  function requestPreview(form, textarea, target) {
    var data = new FormData();
    data.append("csrf_token", csrfToken(form));
    data.append("body", textarea.value);
    return fetch(target.getAttribute("data-preview-url"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      if (response.status === 400 || response.status === 429) {
        /* Too long, or too many previews: say so instead of a stale preview. */
        return response.text().then(function (text) {
          showMessage(target, response.status === 429
            ? "Preview paused: too many previews in a short time. Try again in a minute."
            : text);
        });
      }
      if (!response.ok) { throw new Error("preview failed: " + response.status); }
      return response.text().then(function (html) { showPreview(target, html); });
    });
  }

  function enhance(editor) {
    var form = editor.closest("form");
    var textarea = editor.querySelector("textarea");
    var target = editor.querySelector("[data-preview-target]");
    if (!form || !textarea || !target || !window.fetch) { return; }
    var button = form.querySelector("[data-preview-button]");
    var timer = null;
    if (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        requestPreview(form, textarea, target).catch(function () { form.requestSubmit(button); });
      });
    }
    textarea.addEventListener("input", function () {
      window.clearTimeout(timer);
      if (!textarea.value.trim()) { return; }
      timer = window.setTimeout(function () {
        requestPreview(form, textarea, target).catch(function () { /* the button still works */ });
      }, 600);
    });
  }

  document.querySelectorAll("[data-editor]").forEach(enhance);
})();
