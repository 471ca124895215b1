/* Material upload with a progress bar and the server's own checks before sending.
   Plain JavaScript, no library. Each <form data-upload> is sent with XMLHttpRequest so that
   upload progress can be shown in a <progress>; the page the server answers with (the checklist
   after its redirect, or the error page) then replaces this one, as a plain post would.
   Without JavaScript the form posts normally. The server checks everything again and more
   (core.uploads.upload_check: declared type, content anywhere, the file opening, virus scan);
   this is the part a browser can do cheaply, from the same list, given by the script tag:
     data-max-bytes   ONEWINDOW_MAX_UPLOAD_MB in bytes
     data-kinds       the accepted kinds, "label:.ext,.ext:magic-hex" separated by ";"
                      (core.uploads.MATERIAL_KINDS through the upload_kinds template tag)
     data-msg-*       the texts, translated by the template */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.XMLHttpRequest || !window.FormData) { return; }
  var cfg = script.dataset;
  var maxBytes = parseInt(cfg.maxBytes, 10) || 0;
  // The kinds the server accepts, each with its extensions and first bytes: a file whose
  // extension is not listed, or whose first bytes are not its extension's kind, is refused.
  var KINDS = (cfg.kinds || "").split(";").filter(Boolean).map(function (entry) {
    var parts = entry.split(":");
    var hex = parts[2] || "";
    var magic = [];
    for (var i = 0; i + 1 < hex.length; i += 2) { magic.push(parseInt(hex.substr(i, 2), 16)); }
    return { label: parts[0], extensions: (parts[1] || "").split(","), magic: magic };
  });
  var counter = 0;

  function fill(text, values) {
    return (text || "").replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  }

  function megabytes(bytes) { return (bytes / 1048576).toFixed(1); }

  function extensionOf(name) {
    var dot = (name || "").lastIndexOf(".");
    return dot < 0 ? "" : name.slice(dot).toLowerCase();
  }

  function kindFor(name) {
    var extension = extensionOf(name);
    for (var i = 0; i < KINDS.length; i += 1) {
      if (KINDS[i].extensions.indexOf(extension) >= 0) { return KINDS[i]; }
    }
    return null;
  }

  function kindsText() {
    var labels = KINDS.map(function (k) { return k.label; }).join("、");
    var extensions = [].concat.apply([], KINDS.map(function (k) { return k.extensions; })).join("、");
    return labels + "（" + extensions + "）";
  }

  /* Resolves to an error text, or "" when the file may be sent. */
  function problem(file) {
    if (!file) { return Promise.resolve(cfg.msgNoFile); }
    if (file.size === 0) { return Promise.resolve(fill(cfg.msgEmpty, { name: file.name })); }
    if (maxBytes && file.size > maxBytes) {
      return Promise.resolve(fill(cfg.msgTooBig, {
        name: file.name, size: megabytes(file.size), limit: Math.round(maxBytes / 1048576)
      }));
    }
    var kind = kindFor(file.name);
    if (KINDS.length && !kind) { return Promise.resolve(fill(cfg.msgType, { name: file.name, kinds: kindsText() })); }
    if (!kind || !file.slice || (!window.Blob.prototype.arrayBuffer && !window.FileReader)) { return Promise.resolve(""); }
    return readHead(file).then(function (bytes) {
      var same = kind.magic.every(function (b, i) { return bytes[i] === b; });
      return same ? "" : fill(cfg.msgMismatch, { name: file.name, extension: extensionOf(file.name), kind: kind.label });
    }, function () { return ""; /* unreadable here: let the server decide */ });
  }

  function readHead(file) {
    var blob = file.slice(0, 8);
    if (blob.arrayBuffer) {
      return blob.arrayBuffer().then(function (buf) { return new Uint8Array(buf); });
    }
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(new Uint8Array(reader.result)); };
      reader.onerror = reject;
      reader.readAsArrayBuffer(blob);
    });
  }

  function replacePage(xhr, action) {
    document.open();
    document.write(xhr.responseText);
    document.close();
    // After the server's redirect, show the page's own address; an error page answered at the
    // upload address keeps the checklist's address, so reloading shows the checklist again.
    if (xhr.responseURL && xhr.responseURL !== action && window.history && history.replaceState) {
      history.replaceState(null, "", xhr.responseURL);
    }
  }

  function enhance(form) {
    var input = form.querySelector("input[type=file]");
    if (!input) { return; }
    counter += 1;
    var status = document.createElement("span");
    status.id = "upload-status-" + counter;
    status.className = "upload-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.hidden = true;
    bar.setAttribute("aria-label", cfg.msgProgressLabel || "");
    form.appendChild(bar);
    form.appendChild(status);
    var described = input.getAttribute("aria-describedby");
    input.setAttribute("aria-describedby", (described ? described + " " : "") + status.id);
    var busy = false;
    var lastStep = -1;

    function say(text, bad) {
      status.textContent = text;
      status.className = "upload-status" + (bad ? " upload-bad" : "");
      if (bad) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
    }

    input.addEventListener("change", function () {
      problem(input.files[0]).then(function (text) { say(text, !!text); });
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) { return; }
      var file = input.files[0];
      problem(file).then(function (text) {
        if (text) { say(text, true); input.focus(); return; }
        send(file);
      });
    });

    function send(file) {
      busy = true;
      // One upload at a time, as with a plain post: the answer replaces the whole page.
      Array.prototype.forEach.call(document.querySelectorAll("form[data-upload] button"), function (b) {
        b.disabled = true;
      });
      bar.hidden = false;
      bar.value = 0;
      say(fill(cfg.msgUploading, { name: file.name, percent: "0%" }), false);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.upload.addEventListener("progress", function (event) {
        if (!event.lengthComputable) { bar.removeAttribute("value"); return; }
        var percent = Math.round(event.loaded / event.total * 100);
        bar.value = percent;
        var step = Math.floor(percent / 25);  // announce every quarter, not every event
        if (step !== lastStep) {
          lastStep = step;
          say(fill(cfg.msgUploading, { name: file.name, percent: percent + "%" }), false);
        }
      });
      xhr.addEventListener("load", function () { replacePage(xhr, form.action); });
      xhr.addEventListener("error", function () {
        // The connection failed: fall back to the plain post, which shows the browser's own error.
        busy = false;
        bar.hidden = true;
        say(cfg.msgFailed, true);
        form.submit();
      });
      xhr.send(new FormData(form));
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-upload]"), enhance);
})();
