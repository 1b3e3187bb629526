// Proxima's small behaviours, loaded as a file (the CSP forbids inline scripts).
(function () {
  "use strict";

  // Styles that need these behaviours (the reply buttons) apply only once this file runs.
  document.documentElement.classList.add("js");

  function toast(message) {
    var box = document.getElementById("toasts");
    if (!box || !message) return;
    var item = document.createElement("p");
    item.className = "toast";
    item.textContent = message;
    box.appendChild(item);
    window.setTimeout(function () { item.classList.add("toast-out"); }, 3500);
    window.setTimeout(function () { item.remove(); }, 4200);
  }

  // Server messages sent with HX-Trigger: {"proxima:toast": "…"}
  document.body.addEventListener("proxima:toast", function (event) {
    toast(event.detail && event.detail.value);
  });

  // Error answers to htmx requests: show their message instead of failing silently.
  document.body.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.getResponseHeader("HX-Trigger")) return; // the server already sent a toast
    toast(document.documentElement.lang === "fr" ? "Une erreur est survenue. Réessayez." : "Something went wrong. Try again.");
  });

  // The request could not be sent at all (offline, server down).
  document.body.addEventListener("htmx:sendError", function () {
    toast(document.documentElement.lang === "fr" ? "Une erreur est survenue. Réessayez." : "Something went wrong. Try again.");
  });

  // Buttons that need a confirmation carry data-confirm="question".
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Copy buttons carry data-copy="#selector".
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (source && navigator.clipboard) {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        var label = button.textContent;
        button.textContent = "✓";
        window.setTimeout(function () { button.textContent = label; }, 2000);
      });
    }
  });

  // Close the account menu with Escape, giving the focus back to its button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.usermenu[open], details.reaction-more[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      var summary = menu.querySelector("summary");
      if (summary) summary.focus();
    });
  });

  // "Reply" under a comment opens the reply box at the end of its thread and puts the cursor in it.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-reply-to]");
    if (!button) return;
    var box = document.getElementById(button.getAttribute("data-reply-to"));
    if (!box) return;
    box.open = !box.open;
    button.setAttribute("aria-expanded", box.open ? "true" : "false");
    if (box.open) {
      var area = box.querySelector("textarea");
      if (area) area.focus();
    }
  });

  // The composer's message box suggests what to write for the kind of post chosen.
  function composerHints(form) {
    var kind = form.querySelector('input[name="kind"]:checked');
    var area = form.querySelector('textarea[name="body"]');
    if (!kind || !area) return;
    var hint = area.getAttribute("data-placeholder-" + kind.value);
    if (hint) area.setAttribute("placeholder", hint);
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches('.composer input[name="kind"]')) composerHints(event.target.form);
  });
  function composerHintsIn(root) {
    if (!root || !root.querySelectorAll) return;
    if (root.matches && root.matches(".composer")) composerHints(root);
    root.querySelectorAll(".composer").forEach(composerHints);
  }
  composerHintsIn(document);
  document.body.addEventListener("htmx:load", function (event) { composerHintsIn(event.detail.elt); });

  // Close the account menu and the reaction picker when clicking elsewhere.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.usermenu[open], details.reaction-more[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
})();

// @mention suggestions in text areas that carry data-mentions="/suggest/mentions?community=…".
(function () {
  "use strict";
  var pending = null;

  function box(area) {
    var list = area.parentNode.querySelector(".mention-box");
    if (!list) {
      list = document.createElement("ul");
      list.className = "mention-box";
      list.setAttribute("role", "listbox");
      list.hidden = true;
      area.parentNode.insertBefore(list, area.nextSibling);
    }
    return list;
  }

  function typedHandle(area) {
    var match = /(?:^|[\s(])@([\w.-]{1,40})$/.exec(area.value.slice(0, area.selectionStart));
    return match ? match[1] : null;
  }

  function choose(area, handle) {
    var caret = area.selectionStart;
    var before = area.value.slice(0, caret).replace(/@[\w.-]*$/, handle + " ");
    area.value = before + area.value.slice(caret);
    area.setSelectionRange(before.length, before.length);
    box(area).hidden = true;
    area.focus();
  }

  function show(area, options) {
    var list = box(area);
    list.textContent = "";
    options.forEach(function (option, index) {
      var item = document.createElement("li");
      item.setAttribute("role", "option");
      item.dataset.value = option.value;
      item.textContent = option.label + " " + option.value;
      if (index === 0) item.setAttribute("aria-selected", "true");
      item.addEventListener("mousedown", function (event) {
        event.preventDefault();
        choose(area, option.value);
      });
      list.appendChild(item);
    });
    list.hidden = options.length === 0;
  }

  document.addEventListener("input", function (event) {
    var area = event.target;
    if (!area.matches || !area.matches("textarea[data-mentions]")) return;
    var typed = typedHandle(area);
    if (!typed) { box(area).hidden = true; return; }
    var url = area.getAttribute("data-mentions") + "&q=" + encodeURIComponent(typed);
    window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) {
          // read the answer as data only: values and labels, never inserted as HTML
          var parsed = new DOMParser().parseFromString("<datalist>" + html + "</datalist>", "text/html");
          var options = Array.prototype.map.call(parsed.querySelectorAll("option"), function (option) {
            return { value: option.value, label: option.textContent.trim() };
          });
          show(area, options);
        });
    }, 150);
  });

  document.addEventListener("keydown", function (event) {
    var area = event.target;
    if (!area.matches || !area.matches("textarea[data-mentions]")) return;
    var list = box(area);
    if (list.hidden) return;
    var items = Array.prototype.slice.call(list.children);
    var current = items.findIndex(function (item) { return item.getAttribute("aria-selected") === "true"; });
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var next = (current + (event.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
      items.forEach(function (item, index) { item.setAttribute("aria-selected", index === next ? "true" : "false"); });
    } else if ((event.key === "Enter" || event.key === "Tab") && current >= 0) {
      event.preventDefault();
      choose(area, items[current].dataset.value);
    } else if (event.key === "Escape") {
      list.hidden = true;
    }
  });
})();

// ---- live updates (Server-Sent Events through the vendored htmx SSE extension) -------------------
// The stream itself is `sse-connect` on <body>; elements re-fetch on `hx-trigger="sse:…"`.
(function () {
  "use strict";
  if (!window.htmx) return;

  // A stream the server closed for good (an error answer) is reopened by the extension as a new
  // EventSource, which sends no Last-Event-ID and so gets no catch-up: re-fetch here instead.
  var lost = false;
  document.body.addEventListener("htmx:sseError", function (event) {
    var source = event.detail && event.detail.source;
    if (source && source.readyState === 2) lost = true; // EventSource.CLOSED
  });
  document.body.addEventListener("htmx:sseOpen", function () {
    if (!lost) return;
    lost = false;
    ["notifications", "feed", "comment"].forEach(function (name) {
      document.querySelectorAll('[hx-trigger*="sse:' + name + '"]').forEach(function (element) {
        window.htmx.trigger(element, "sse:" + name);
      });
    });
  });

  // Reply boxes carry hx-preserve so that a live reload of the thread keeps what is being typed;
  // after posting a comment (the whole #comments is swapped) they start afresh instead.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!event.detail.shouldSwap || !target || target.id !== "comments") return;
    target.querySelectorAll(".reply-box[hx-preserve]").forEach(function (box) { box.removeAttribute("id"); });
  });
  document.body.addEventListener("htmx:afterSettle", function () {
    var thread = document.getElementById("comment-thread");
    if (!thread) return;
    thread.querySelectorAll("[data-reply-to]").forEach(function (button) {
      var box = document.getElementById(button.getAttribute("data-reply-to"));
      button.setAttribute("aria-expanded", box && box.open ? "true" : "false");
    });
  });
})();
