/* Long downloads (a PDF rendered on the server) show that they are running until the file has
   arrived, instead of the page looking done while the server is still working. A link marked
   data-busy-download is fetched, shown as busy, then saved; on failure the link says so. */
(function () {
  "use strict";
  function filename(response, fallback) {
    var header = response.headers.get("Content-Disposition") || "";
    var match = /filename="?([^";]+)"?/.exec(header);
    return match ? match[1] : fallback;
  }
  document.querySelectorAll("a[data-busy-download]").forEach(function (link) {
    var original = link.innerHTML;
    link.addEventListener("click", function (event) {
      if (!window.fetch || !window.URL || link.getAttribute("aria-busy") === "true") { return; }
      event.preventDefault();
      link.setAttribute("aria-busy", "true");
      link.classList.add("disabled");
      link.innerHTML = '<span class="spinner-border spinner-border-sm" role="status"></span> ' + link.dataset.busyText;
      fetch(link.href, { credentials: "same-origin" })
        .then(function (response) {
          var type = response.headers.get("Content-Type") || "";
          if (!response.ok || type.indexOf("text/html") === 0) { throw new Error(String(response.status)); }
          return response.blob().then(function (blob) { return { blob: blob, name: filename(response, "report.pdf") }; });
        })
        .then(function (file) {
          var url = URL.createObjectURL(file.blob);
          var anchor = document.createElement("a");
          anchor.href = url; anchor.download = file.name;
          document.body.appendChild(anchor); anchor.click(); anchor.remove();
          setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
          link.innerHTML = '<i class="bi bi-check2"></i> ' + link.dataset.doneText;
          setTimeout(function () { link.innerHTML = original; }, 4000);
        })
        .catch(function () {
          link.innerHTML = '<i class="bi bi-exclamation-triangle"></i> ' + link.dataset.failText;
          setTimeout(function () { link.innerHTML = original; }, 6000);
        })
        .finally(function () {
          link.removeAttribute("aria-busy");
          link.classList.remove("disabled");
        });
    });
  });
})();
