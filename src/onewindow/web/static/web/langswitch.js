// The language switcher submits itself when a language is chosen (no inline handler: the
// Content-Security-Policy allows scripts from files only). Without JavaScript the form keeps
// its "切换" button.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
});
