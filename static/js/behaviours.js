// Behaviours declared in the markup, so that pages need no inline JavaScript or style attributes
// (the Content-Security-Policy forbids both):
//   <form data-confirm="...">       asks before submitting (then sends confirmed=1)
//   <select data-autosubmit>         submits its form when changed
//   <div data-width="42">            sets the element's width to 42% (progress bars)
//   <select data-org-search="...">   gets a search box above it that narrows its options (the
//                                    attribute's text is the box's placeholder); with
//                                    data-org-source="URL" the box asks the server (portal:
//                                    organization-search) and shows what it answers, the
//                                    options in the page staying the fallback
//   <div class="table-responsive">   gets a "swipe to see more" hint above it when it overflows
//                                    (text from <body data-scroll-hint>)
(function () {
  "use strict";

  function applyWidths(root) {
    root.querySelectorAll("[data-width]").forEach(function (element) {
      var value = parseFloat(element.getAttribute("data-width"));
      if (!isNaN(value)) {
        element.style.width = Math.min(Math.max(value, 0), 100) + "%";
      }
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target.closest ? event.target.closest("form[data-confirm]") : null;
    if (!form) { return; }
    if (!window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    // Agreed here: the server need not ask again (portal/confirm.py asks when JavaScript is off).
    var flag = form.querySelector("input[name='confirmed']");
    if (!flag) {
      flag = document.createElement("input");
      flag.type = "hidden";
      flag.name = "confirmed";
      form.appendChild(flag);
    }
    flag.value = "1";
  }, true);

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-autosubmit]") && target.form) {
      target.form.requestSubmit ? target.form.requestSubmit() : target.form.submit();
    }
  });

  function markScrollable(root) {
    var text = document.body.getAttribute("data-scroll-hint");
    if (!text) { return; }
    root.querySelectorAll(".table-responsive").forEach(function (box) {
      var overflows = box.scrollWidth > box.clientWidth + 2;
      var hint = box.previousElementSibling;
      if (!hint || !hint.classList.contains("scroll-hint")) {
        if (!overflows) { return; }
        hint = document.createElement("div");
        hint.className = "scroll-hint";
        hint.setAttribute("aria-hidden", "true");
        hint.textContent = text;
        box.parentNode.insertBefore(hint, box);
      }
      hint.classList.toggle("is-shown", overflows);
      box.classList.toggle("is-scrollable", overflows);
    });
  }

  function filterOptions(select, query) {
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    Array.prototype.forEach.call(select.options, function (option) {
      var text = option.text.toLowerCase();
      option.hidden = !(!option.value || words.every(function (word) { return text.indexOf(word) !== -1; }));
    });
  }

  function chooseSingle(select) {
    // One match left: choose it, as an autocomplete would.
    var matches = Array.prototype.filter.call(select.options, function (o) { return o.value && !o.hidden && !o.disabled; });
    if (matches.length === 1) { select.value = matches[0].value; }
  }

  // Replaces the options by the server's answer; the empty choice and the current one stay.
  function showResults(select, original, answer) {
    var current = select.value;
    var keep = [];
    Array.prototype.forEach.call(original, function (option) {
      if (!option.value || option.value === current) { keep.push(option.cloneNode(true)); }
    });
    select.textContent = "";
    keep.forEach(function (option) { select.appendChild(option); });
    answer.results.forEach(function (row) {
      if (String(row.id) === current) { return; }
      var option = document.createElement("option");
      option.value = row.id;
      option.textContent = row.text;
      select.appendChild(option);
    });
    if (answer.more) {
      var more = document.createElement("option");
      more.disabled = true;
      more.textContent = select.getAttribute("data-org-more") || "…";
      select.appendChild(more);
    }
    select.value = current;
    select.setAttribute("data-org-results", answer.results.length);
    if (!current) { chooseSingle(select); }
  }

  function addSearchBoxes(root) {
    root.querySelectorAll("select[data-org-search]").forEach(function (select) {
      if (select.previousElementSibling && select.previousElementSibling.classList.contains("org-search")) { return; }
      var box = document.createElement("input");
      box.type = "search";
      box.className = "form-control form-control-sm mb-1 org-search";
      box.placeholder = select.getAttribute("data-org-search");
      box.setAttribute("aria-label", box.placeholder);
      box.setAttribute("data-for", select.id);
      select.parentNode.insertBefore(box, select);
      var source = select.getAttribute("data-org-source");
      var original = Array.prototype.map.call(select.options, function (o) { return o.cloneNode(true); });
      var timer = null;
      var asked = 0;
      function restore() {
        var current = select.value;
        select.textContent = "";
        original.forEach(function (option) { select.appendChild(option.cloneNode(true)); });
        select.value = current;
      }
      box.addEventListener("input", function () {
        var query = box.value.trim();
        // At once: narrow the options the page has; then (with a source) the server's answer.
        restore();
        filterOptions(select, query);
        chooseSingle(select);
        if (!source || !window.fetch) { return; }
        clearTimeout(timer);
        if (!query) { return; }
        timer = setTimeout(function () {
          var ticket = ++asked;
          var url = source + (source.indexOf("?") === -1 ? "?" : "&") + "q=" + encodeURIComponent(query);
          fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
            .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
            .then(function (answer) { if (ticket === asked) { showResults(select, original, answer); } })
            .catch(function () { /* the server did not answer: the page's options stay narrowed */ });
        }, 250);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    applyWidths(document);
    markScrollable(document);
    addSearchBoxes(document);
  });
  window.addEventListener("resize", function () { markScrollable(document); });
  // Content swapped in by htmx (e.g. the import progress) carries its own data-width.
  document.addEventListener("htmx:load", function (event) { applyWidths(event.detail.elt.parentNode || document); });
})();
