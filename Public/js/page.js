// Small progressive enhancements for every page (served from our origin; the CSP allows no
// inline script). Everything works without it.
(function () {
  "use strict";

  // A form that was refused: its error summary takes focus (and so comes into view), so a
  // screen reader reads it and nobody has to find it below the fold.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }

  // Stacked tables on a phone label each cell with its column's header; templates write most
  // labels themselves, this fills in the rest.
  document.querySelectorAll("table").forEach(function (table) {
    // A header only screen readers see (the actions column) labels nothing, in any language.
    var headers = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.querySelector(".visually-hidden") ? "" : th.textContent.trim();
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, i) {
        if (cell.tagName === "TD" && !cell.hasAttribute("data-label") && headers[i]) {
          cell.setAttribute("data-label", headers[i]);
        }
      });
    });
  });

  // A provider button shows that we are waiting ("Connecting to GitHub…") and cannot be
  // pressed twice while the provider answers.
  document.addEventListener("submit", function (event) {
    var button = event.submitter || event.target.querySelector("button[data-pending]");
    if (!button || !button.hasAttribute("data-pending") || event.defaultPrevented) return;
    var label = button.querySelector("span") || button;
    button.setAttribute("data-label-before", label.textContent);
    label.textContent = button.getAttribute("data-pending");
    button.setAttribute("aria-busy", "true");
    // Disabled after this turn, so the form is still sent with the button as its submitter.
    setTimeout(function () { button.disabled = true; }, 0);
  });

  // Back from the provider (the page restored from the back/forward cache): ready again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("button[data-label-before]").forEach(function (button) {
      (button.querySelector("span") || button).textContent = button.getAttribute("data-label-before");
      button.removeAttribute("data-label-before");
      button.removeAttribute("aria-busy");
      button.disabled = false;
    });
  });
})();
