// newsfuse web app: citations highlight their source sentence; the job page polls its progress.
"use strict";

function highlight(hash) {
  var target = hash && document.getElementById(hash.slice(1));
  if (!target) return;
  document.querySelectorAll(".sent.hl").forEach(function (el) { el.classList.remove("hl"); });
  document.querySelectorAll(".article.hl-article").forEach(function (el) { el.classList.remove("hl-article"); });
  if (target.classList.contains("sent")) target.classList.add("hl");
  var article = target.closest(".article");
  if (article) article.classList.add("hl-article");
  // scroll only the article panel beside the summary, so the sentence citing it stays in view
  var panel = target.closest(".articles");
  if (panel && panel.scrollHeight > panel.clientHeight && getComputedStyle(panel).overflowY === "auto") {
    var offset = target.getBoundingClientRect().top - panel.getBoundingClientRect().top;
    panel.scrollTop += offset - (panel.clientHeight - target.offsetHeight) / 2;
    var box = panel.getBoundingClientRect();
    if (box.top > window.innerHeight || box.bottom < 0) panel.scrollIntoView({ block: "nearest" });
  } else {
    target.scrollIntoView({ block: "center" });
  }
}

document.addEventListener("click", function (event) {
  var link = event.target.closest("a.cite, .articles h3 a, table.matrix a");
  if (!link) return;
  var hash = link.getAttribute("href");
  if (!hash || hash.charAt(0) !== "#") return;
  event.preventDefault();
  document.querySelectorAll("a.cite.active").forEach(function (el) { el.classList.remove("active"); });
  if (link.classList.contains("cite")) link.classList.add("active");
  history.replaceState(null, "", hash);
  highlight(hash);
});

// the server refuses submissions over its limit (413); say so before uploading them
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.dataset.limit) return;
  var size = 0;
  Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (input) {
    Array.prototype.forEach.call(input.files, function (file) { size += file.size; });
  });
  form.querySelectorAll("textarea").forEach(function (area) { size += new Blob([area.value]).size; });
  if (size > Number(form.dataset.limit)) {
    event.preventDefault();
    var message = document.getElementById("too-large");
    message.textContent = "These files are " + (size / 1048576).toFixed(1) + " MB together; the limit is " +
      form.dataset.limitText + " per submission. Add them in smaller groups.";
    message.hidden = false;
  }
});

document.addEventListener("DOMContentLoaded", function () {
  if (location.hash) highlight(location.hash);
  var job = document.getElementById("job");
  if (!job || (job.dataset.state !== "queued" && job.dataset.state !== "running")) return;
  var state = job.querySelector(".job-state"), bar = job.querySelector("progress");
  function poll() {
    fetch(job.dataset.job, { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.state === "done" || data.state === "failed") { location.reload(); return; }
        var what = data.phase === "fetching" ? "Fetching URLs" : data.state === "queued" ? "Waiting" : "Storing and grouping articles";
        state.textContent = what + ": " + data.done + " of " + data.total;
        bar.max = data.total || 1; bar.value = data.done;
        setTimeout(poll, 500);
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 300);
});
