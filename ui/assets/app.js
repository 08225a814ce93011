// The chat's behaviour in the browser (run from <head>): citation links into the sources panel
// (a drawer on narrow screens), links from a cited sentence back to its answer, the copy button
// of an answer, and Escape to close the article view or the drawer.
(function () {
  var NARROW = "(max-width: 820px)";

  // Gradio scopes the app's CSS to its container, so the drawer's state is a class on itself.
  function drawer(open) {
    var column = document.getElementById("sources-col");
    if (column) column.classList.toggle("open", open);
  }
  window.sourcesDrawer = drawer;  // the drawer's buttons (ui/layout.py) call it

  function closeArticle() {
    var close = document.querySelector("#article-view .close-article");
    if (close) close.click();
  }

  // The target may not be there yet: a click on an older answer switches the panel to it.
  function reveal(id) {
    var tries = 0;
    (function seek() {
      var target = document.getElementById(id);
      if (target) {
        target.scrollIntoView({behavior: "smooth", block: "center"});
        target.classList.add("flash");
        setTimeout(function () { target.classList.remove("flash"); }, 1600);
      } else if (tries++ < 40) {
        setTimeout(seek, 100);
      }
    })();
  }

  function copy(text, button) {
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    function done() {
      button.textContent = "✓ " + label;
      button.classList.add("copied");
      setTimeout(function () { button.textContent = label; button.classList.remove("copied"); }, 1600);
    }
    function fallback() {  // no Clipboard API outside secure contexts (plain http off localhost)
      var area = document.createElement("textarea");
      area.value = text;
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      try { document.execCommand("copy"); done(); } finally { area.remove(); }
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  }

  document.addEventListener("click", function (event) {
    var element = event.target && event.target.closest ? event.target : null;
    if (!element) return;
    var cite = element.closest("a.cite");
    if (cite) {
      event.preventDefault();
      if (window.matchMedia(NARROW).matches) drawer(true);
      reveal(cite.hash.slice(1));
      return;
    }
    var back = element.closest("a.back");
    if (back) {
      event.preventDefault();
      event.stopPropagation();
      closeArticle();
      drawer(false);
      reveal(back.hash.slice(1));
      return;
    }
    var button = element.closest(".act-copy");
    if (button) {
      event.preventDefault();
      var source = button.closest(".msg").querySelector(".copy-src");
      if (source) copy(source.textContent, button);
    }
  }, true);

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    if (document.querySelector("#article-view .article-modal")) closeArticle();
    else drawer(false);
  });
})();
