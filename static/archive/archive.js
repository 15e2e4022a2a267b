// Council Archive: small progressive enhancements. Everything works without this file.
"use strict";

(function () {
  // "Copy citation": copies the text of the element named by data-copy-target.
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Fallback for plain-http deployments: a temporary textarea and execCommand.
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "visually-hidden";
      document.body.appendChild(area);
      area.select();
      var ok = document.execCommand && document.execCommand("copy");
      document.body.removeChild(area);
      if (ok) { resolve(); } else { reject(new Error("copy failed")); }
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy-target]");
    if (!button) { return; }
    var source = document.getElementById(button.getAttribute("data-copy-target"));
    if (!source) { return; }
    var status = button.parentElement.querySelector(".copy-status");
    copyText(source.textContent.trim()).then(function () {
      if (status) { status.textContent = "Citation copied to the clipboard."; }
      button.setAttribute("data-copied", "true");
    }, function () {
      if (status) { status.textContent = "Copy failed: select the citation and copy it by hand."; }
    });
  });

  // Highlight the statement a permalink points to (#speech-N) for keyboard and screen users.
  function markTarget() {
    var previous = document.querySelector(".is-target");
    if (previous) { previous.classList.remove("is-target"); }
    if (!location.hash) { return; }
    var target = document.getElementById(location.hash.slice(1));
    if (target) { target.classList.add("is-target"); }
  }
  window.addEventListener("hashchange", markTarget);
  document.addEventListener("DOMContentLoaded", markTarget);
})();
