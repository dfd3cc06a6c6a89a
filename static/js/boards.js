/* Boards: live Markdown preview for post editors, and replies and reactions without a page
   reload. Every form works without it (the Preview button submits the form and the server
   renders the preview; a reply or a reaction is a plain POST answered with a redirect); this
   only avoids the round trip. The server answers requests marked X-Requested-With: fetch
   briefly (forum/boards/inplace.py): 201 with the new post's address, or the reaction counts. */
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

  /* Replies and reactions in place. Any answer but the expected one sends the form again the
     plain way, so the server's own page says what went wrong (a field error, a lock...). */

  var status = document.createElement("div");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  document.body.appendChild(status);

  function send(form) {
    /* getAttribute: the buttons named "action" shadow form.action. */
    return fetch(form.getAttribute("action"), {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    });
  }

  function setBusy(form, busy) {
    form.querySelectorAll("button").forEach(function (button) { button.disabled = busy; });
    form.setAttribute("aria-busy", busy ? "true" : "false");
  }

  /* The thread page that holds the new post replaces the page's content (so the posts, the
     pager and the panels, such as a resolved escalation, are all current), the address moves
     to the post, and the focus goes to it. */
  function showPage(location, html) {
    var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("main");
    var main = document.getElementById("main");
    var post = fresh && fresh.querySelector(location.hash || "#none");
    if (!main || !post) { window.location.assign(location.href); return; }
    main.replaceChildren.apply(main, Array.prototype.slice.call(fresh.childNodes));
    window.history.replaceState(null, "", location.href);
    main.querySelectorAll("[data-editor]").forEach(enhance);
    document.dispatchEvent(new CustomEvent("forum:content"));
    post = document.getElementById(location.hash.slice(1));
    post.setAttribute("tabindex", "-1");
    post.focus();
    status.textContent = "Your reply is posted.";
  }

  function reply(form) {
    setBusy(form, true);
    status.textContent = "Posting your reply…";
    send(form).then(function (response) {
      if (response.status !== 201 || !response.headers.get("Location")) {
        throw new Error("reply not posted: " + response.status);
      }
      var location = new URL(response.headers.get("Location"), window.location.href);
      /* Posted: from here on a failure loads the post's page instead of posting again. */
      return fetch(location.href, { credentials: "same-origin" }).then(function (page) {
        if (!page.ok) { throw new Error("page " + page.status); }
        return page.text();
      }).then(function (html) {
        showPage(location, html);
      }).catch(function () { window.location.assign(location.href); });
    }).catch(function () {
      setBusy(form, false);
      form.submit();
    });
  }

  function react(form) {
    var group = form.closest(".reactions");
    setBusy(form, true);
    send(form).then(function (response) {
      if (!response.ok) { throw new Error("reaction not saved: " + response.status); }
      return response.json();
    }).then(function (state) {
      state.reactions.forEach(function (reaction) {
        var input = group.querySelector('input[name="kind"][value="' + reaction.kind + '"]');
        var button = input && input.form.querySelector("button");
        if (!button) { return; }
        button.querySelector(".count").textContent = String(reaction.count);
        button.setAttribute("aria-pressed", reaction.mine ? "true" : "false");
        button.classList.toggle("is-mine", reaction.mine);
      });
      setBusy(form, false);
    }).catch(function () {
      setBusy(form, false);
      form.submit();
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!window.fetch || !window.DOMParser || event.defaultPrevented) { return; }
    if (event.submitter && event.submitter.value === "preview") { return; }
    if (form.hasAttribute("data-reply-form")) {
      event.preventDefault();
      reply(form);
    } else if (form.closest(".reactions")) {
      event.preventDefault();
      react(form);
    }
  });

  document.querySelectorAll("[data-editor]").forEach(enhance);
})();
