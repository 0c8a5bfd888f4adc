/* A background job's progress (a report being generated, a file job): polls the status URL of
   #job-progress and shows the step and percentage the job has written; reloads the page when the
   job is over, which then offers the download (or says what went wrong). */
(function () {
  "use strict";
  var box = document.getElementById("job-progress");
  if (!box || !window.fetch) { return; }
  var bar = document.getElementById("job-bar");
  var stage = document.getElementById("job-stage");
  var percent = document.getElementById("job-percent");
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        bar.style.width = state.progress + "%";
        bar.parentElement.setAttribute("aria-valuenow", state.progress);
        percent.textContent = state.progress + "%";
        if (state.stage) { stage.textContent = state.stage; }
        if (state.busy) { setTimeout(poll, 1500); } else { window.location.replace(box.dataset.reloadUrl); }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
