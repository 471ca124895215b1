/* Checks an ID number / credit code as it is typed (POST /api/v1/org/id-check) and says which
   character is wrong. Plain JavaScript, no library; the server checks again on submit. */
(function () {
  "use strict";
  var input = document.querySelector("[data-id-check]");
  if (!input) { return; }
  var out = document.getElementById("id-check");
  var timer = null;
  function kind() {
    var checked = document.querySelector("input[name=kind]:checked");
    return checked ? checked.value : "entity";
  }
  function show(text, ok) {
    out.textContent = text;
    out.className = "id-check " + (ok ? "id-ok" : "id-bad");
    input.setAttribute("aria-invalid", ok ? "false" : "true");
  }
  function check() {
    var value = input.value.trim();
    if (value.length === 0) { out.textContent = ""; input.removeAttribute("aria-invalid"); return; }
    fetch(input.dataset.idCheck, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ kind: kind(), id_number: value }),
      credentials: "same-origin"
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
      if (!data) { return; }
      if (data.valid) { show("✔ " + (out.dataset.okText || "号码校验通过"), true); }
      else { show("✘ " + data.message, false); }
    }).catch(function () { /* offline: the server checks on submit */ });
  }
  function later() { clearTimeout(timer); timer = setTimeout(check, 250); }
  input.addEventListener("input", later);
  document.querySelectorAll("input[name=kind]").forEach(function (r) { r.addEventListener("change", later); });
  if (input.value) { check(); }
})();
