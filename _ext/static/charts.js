/* The Treasury Card: turn each chart's static SVG into a live Vega-Lite view (tooltips, pan/zoom).
   Needs window.vegaEmbed from the book's own copy of vega, vega-lite and vega-embed (treasurycard-vega.js,
   the bundle vl-convert-python ships); nothing is loaded from the network. With scripts off, or if the view
   fails, the static SVG (the figure's download) stays in place. */
(function () {
  "use strict";
  function render(box) {
    var specEl = box.querySelector("script.tc-chart-spec");
    var img = box.querySelector("img.tc-chart-fallback");
    if (!specEl || typeof window.vegaEmbed !== "function") return;
    var spec = JSON.parse(specEl.textContent);
    if (img && img.alt) spec.description = img.alt;  // the live view's aria-label
    var view = document.createElement("div");
    view.className = "tc-chart-view";
    box.insertBefore(view, box.firstChild);
    window.vegaEmbed(view, spec, {renderer: "svg", actions: false, tooltip: {theme: "light"}})
      .then(function (result) {
        box.tcView = result.view;
        var svg = view.querySelector("svg");
        if (svg && img && img.alt) svg.setAttribute("aria-label", img.alt);
        if (img) img.remove();
        box.classList.add("tc-chart-live");
      })
      .catch(function (err) {
        view.remove();
        console.error("chart " + box.getAttribute("data-figure") + " could not be drawn: " + err);
      });
  }
  function start() { document.querySelectorAll(".tc-chart").forEach(render); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
