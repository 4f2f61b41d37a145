/* Haidian grid management: the few behaviours every page may have, in place of inline handlers
 * (the Content-Security-Policy allows no inline script, no on…= attribute):
 *   <select data-autosubmit>                submits its form when it changes (language switch, street pick);
 *   <button data-fill="ID" data-value="V">  puts V into the field with that id (a suggested category).
 * Listeners sit on the document, so markup that htmx swaps in later behaves the same. */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var select = event.target.closest && event.target.closest("select[data-autosubmit]");
    if (select && select.form) select.form.submit();
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-fill]");
    if (!button) return;
    var field = document.getElementById(button.getAttribute("data-fill"));
    if (!field) return;
    field.value = button.getAttribute("data-value");
  });
})();
