// Citation links point into the sources panel, which may still be switching to that answer's
// sources (a click on an older message selects it): wait for the target, then scroll to it.
document.addEventListener("click", function (event) {
  var link = event.target && event.target.closest ? event.target.closest("a.cite") : null;
  if (!link) return;
  event.preventDefault();
  var id = (link.getAttribute("href") || "").slice(1);
  var tries = 0;
  (function seek() {
    var target = document.getElementById(id);
    if (target) {
      target.scrollIntoView({behavior: "smooth", block: "nearest"});
      target.classList.add("flash");
      setTimeout(function () { target.classList.remove("flash"); }, 1600);
    } else if (tries++ < 40) {
      setTimeout(seek, 100);
    }
  })();
}, true);
