/* Haidian grid management, public report page: when the page was opened from a grid's poster
 * (?grid=<code>), draw that grid's outline on the report map so that a resident sees where the grid
 * is on our blank background. casemap.js creates the map; a Leaflet init hook (registered before
 * it runs: this file is loaded between leaflet.js and casemap.js, all deferred) adds the outline. */
(function () {
  "use strict";
  if (typeof window.L === "undefined") return;
  var source = document.getElementById("report-grid-outline");
  if (!source) return;
  var outline = JSON.parse(source.textContent);
  L.Map.addInitHook(function () {
    if (this.getContainer().id !== "report-map") return;
    L.geoJSON(outline, {
      style: { color: "#1f4e8c", weight: 2, fillColor: "#1f4e8c", fillOpacity: 0.08 },
      interactive: false, // a tap inside the grid still places the marker
    }).addTo(this);
  });
})();
