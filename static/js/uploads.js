/* Uploads in the composer (progressive enhancement): a file chosen in "Image or document",
   dropped on the text or pasted into it is uploaded at once (a POST with the form's CSRF
   token) and its Markdown is put in the text at the cursor. Without this script the chosen
   file is sent with the form and the server appends the same Markdown. */
(function () {
  "use strict";

  var PLACEHOLDER = "Describe the image";

  function parts(form) {
    return {
      box: form.querySelector("[data-attach]"),
      text: form.querySelector("[data-editor] textarea"),
      alt: form.querySelector("[data-attach] input[name=alt]"),
      token: form.querySelector("input[name=csrf_token]"),
      status: form.querySelector("[data-attach-status]")
    };
  }

  function say(p, message) {
    if (p.status) { p.status.textContent = message; }
  }

  /* Put `markdown` at the cursor on a line of its own, and select `select` inside it (the
     placeholder description), so typing replaces it. */
  function insert(textarea, markdown, select) {
    var start = textarea.selectionStart, end = textarea.selectionEnd, value = textarea.value;
    var before = value.slice(0, start), after = value.slice(end);
    var lead = before && !/\n\n$/.test(before) ? (/\n$/.test(before) ? "\n" : "\n\n") : "";
    var tail = after && !/^\n/.test(after) ? "\n\n" : "\n";
    textarea.value = before + lead + markdown + tail + after;
    var at = before.length + lead.length;
    var inner = select ? markdown.indexOf(select) : -1;
    textarea.focus();
    if (inner >= 0) {
      textarea.setSelectionRange(at + inner, at + inner + select.length);
    } else {
      textarea.setSelectionRange(at + markdown.length, at + markdown.length);
    }
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function upload(form, file) {
    var p = parts(form);
    if (!p.box || !p.text || !p.token) { return Promise.resolve(); }
    var alt = p.alt ? p.alt.value.trim() : "";
    var data = new FormData();
    data.append("csrf_token", p.token.value);
    data.append("file", file, file.name || "pasted-image.png");
    data.append("alt", alt);
    say(p, "Uploading " + (file.name || "the image") + "…");
    return fetch(p.box.getAttribute("data-upload-url"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (answer) {
      if (!answer.ok) {
        var error = answer.body && answer.body.error;
        say(p, (error && error.message) || "The file could not be uploaded.");
        return;
      }
      var result = answer.body;
      if (result.is_image && !alt) {
        insert(p.text, "![" + PLACEHOLDER + "](" + result.url + ")", PLACEHOLDER);
        say(p, "Image added to the text. Type its description over the selected words.");
      } else {
        insert(p.text, result.markdown, null);
        if (p.alt) { p.alt.value = ""; }
        say(p, result.is_image ? "Image added to the text." : "File added to the text as a link.");
      }
    }).catch(function () {
      say(p, "The file could not be uploaded. Check the connection and try again.");
    });
  }

  function editorText(target) {
    return target && target.closest ? target.closest("form [data-editor] textarea") : null;
  }

  function filesOf(list) {
    return Array.prototype.filter.call(list || [], function (f) { return f && f.size >= 0; });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-attach] input[type=file]")) { return; }
    var chosen = filesOf(input.files);
    if (!chosen.length) { return; }
    upload(input.form, chosen[0]).then(function () { input.value = ""; });
  });

  document.addEventListener("dragover", function (event) {
    if (editorText(event.target) && event.dataTransfer && event.dataTransfer.types.indexOf("Files") >= 0) {
      event.preventDefault();
    }
  });

  document.addEventListener("drop", function (event) {
    var textarea = editorText(event.target);
    var dropped = event.dataTransfer ? filesOf(event.dataTransfer.files) : [];
    if (!textarea || !dropped.length || !textarea.form.querySelector("[data-attach]")) { return; }
    event.preventDefault();
    dropped.reduce(function (chain, file) {
      return chain.then(function () { return upload(textarea.form, file); });
    }, Promise.resolve());
  });

  document.addEventListener("paste", function (event) {
    var textarea = editorText(event.target);
    if (!textarea || !event.clipboardData || !textarea.form.querySelector("[data-attach]")) { return; }
    var pasted = Array.prototype.filter.call(event.clipboardData.items || [], function (item) {
      return item.kind === "file";
    }).map(function (item) { return item.getAsFile(); });
    pasted = filesOf(pasted);
    if (!pasted.length) { return; }
    event.preventDefault();
    pasted.reduce(function (chain, file) {
      return chain.then(function () { return upload(textarea.form, file); });
    }, Promise.resolve());
  });
})();
