/* Long operations (catalogue import, reports, exports): a form marked
     <form data-long-operation="正在处理，请稍候…">
   shows an indeterminate <progress> with that text while the request runs, and its submit
   buttons are disabled so the request is not sent twice. Plain JavaScript, no library; without
   JavaScript the form simply posts. The text comes from the template, translated. */
(function () {
  "use strict";
  var SELECTOR = "form[data-long-operation]";

  function statusBox(form) {
    var box = form.querySelector(".long-operation");
    if (box) { return box; }
    // The live region exists before it is filled, so screen readers announce the text.
    box = document.createElement("div");
    box.className = "long-operation";
    box.setAttribute("role", "status");
    box.setAttribute("aria-live", "polite");
    box.style.cssText = "display:flex;flex-basis:100%;align-items:center;gap:.6rem;margin:.75rem 0;min-height:1.5em";
    form.appendChild(box);
    return box;
  }

  function buttons(form) {
    return form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]");
  }

  function start(form) {
    var box = statusBox(form);
    var bar = document.createElement("progress");  // no value: indeterminate
    var text = document.createElement("span");
    text.textContent = form.getAttribute("data-long-operation") || "…";
    box.textContent = "";
    box.appendChild(bar);
    box.appendChild(text);
    form.setAttribute("aria-busy", "true");
    form.setAttribute("data-running", "");
    // Disable after the submit event, so that the pressed button's name still goes with the form.
    window.setTimeout(function () {
      Array.prototype.forEach.call(buttons(form), function (b) { b.disabled = true; });
    }, 0);
  }

  function reset(form) {
    form.removeAttribute("aria-busy");
    form.removeAttribute("data-running");
    statusBox(form).textContent = "";
    Array.prototype.forEach.call(buttons(form), function (b) { b.disabled = false; });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll(SELECTOR), statusBox);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches(SELECTOR) || event.defaultPrevented) { return; }
    if (form.hasAttribute("data-running")) { event.preventDefault(); return; }
    start(form);
  });
  // Coming back with the Back button shows the page from the cache: make the form usable again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { Array.prototype.forEach.call(document.querySelectorAll(SELECTOR), reset); }
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
