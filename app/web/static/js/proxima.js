// Proxima's small behaviours, loaded as a file (the CSP forbids inline scripts).
(function () {
  "use strict";

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

  // Close the account menu and the reaction picker when clicking elsewhere.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.usermenu[open], details.reaction-more[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
})();
