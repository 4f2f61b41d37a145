/* The command center dashboard: the grid map coloured by open and overdue cases (Leaflet, our own
 * GeoJSON, no tiles unless <body data-tile-url> names a local server), the trend and category charts
 * (ECharts, served locally), both refreshed from data.json every data-refresh seconds. A click on a
 * grid lists its open cases. The KPI panels refresh themselves through htmx. */
(function () {
  "use strict";

  var root, map, layer, trendChart, categoryChart, states = {};
  // ECharts' HTML tooltips carry style="" attributes, which the Content-Security-Policy refuses: draw
  // them on the chart's canvas instead.
  var TOOLTIP_MODE = "richText";

  function colour(state) {
    if (!state || !state.open) return "#e8edf3";
    return state.overdue ? "#b3261e" : "#f2b84b";
  }

  function style(feature) {
    var state = states[String(feature.properties.id)];
    return { color: "#5b6b80", weight: 0.5, fillColor: colour(state), fillOpacity: state && state.open ? 0.75 : 0.35 };
  }

  function showGrid(code) {
    var url = root.getAttribute("data-grid-cases-url").replace("CODE", encodeURIComponent(code));
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
      document.getElementById("grid-cases").innerHTML = html;
    });
  }

  function drawMap() {
    var el = document.getElementById("dashboard-map");
    if (!el || typeof L === "undefined") return;
    map = L.map(el, { preferCanvas: true }).setView([39.99, 116.30], 11);
    var tiles = document.body.getAttribute("data-tile-url");
    if (tiles) L.tileLayer(tiles, { maxZoom: 19 }).addTo(map);
    fetch(root.getAttribute("data-grids-url"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (geojson) {
        layer = L.geoJSON(geojson, {
          style: style,
          onEachFeature: function (feature, shape) {
            shape.bindTooltip(feature.properties.name + " (" + feature.properties.code + ")");
            shape.on("click", function () { showGrid(feature.properties.code); });
          }
        }).addTo(map);
        if (geojson.features.length) map.fitBounds(layer.getBounds());
        el.setAttribute("data-grids", String(geojson.features.length));
      });
  }

  function drawCharts(trends) {
    if (typeof echarts === "undefined") return;
    var reported = root.getAttribute("data-label-reported"), closed = root.getAttribute("data-label-closed");
    trendChart = trendChart || echarts.init(document.getElementById("trend-chart"));
    categoryChart = categoryChart || echarts.init(document.getElementById("category-chart"));
    trendChart.setOption({
      tooltip: { trigger: "axis", renderMode: TOOLTIP_MODE }, legend: { data: [reported, closed] },
      grid: { left: 40, right: 16, top: 32, bottom: 28 },
      xAxis: { type: "category", data: trends.days.map(function (d) { return d.slice(5); }) },
      yAxis: { type: "value" },
      series: [{ name: reported, type: "line", data: trends.reported, smooth: true },
               { name: closed, type: "line", data: trends.closed, smooth: true }]
    });
    categoryChart.setOption({
      tooltip: { renderMode: TOOLTIP_MODE }, grid: { left: 110, right: 16, top: 8, bottom: 24 },
      xAxis: { type: "value" }, yAxis: { type: "category", data: trends.categories.slice().reverse() },
      series: [{ name: reported, type: "bar", data: trends.category_reported.slice().reverse() }]
    });
    root.setAttribute("data-charted", String(trends.days.length));
  }

  function refresh() {
    fetch(root.getAttribute("data-data-url"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        states = data.grids;
        if (layer) layer.setStyle(style);
        drawCharts(data.trends);
        root.setAttribute("data-refreshed", new Date().toISOString());
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    root = document.getElementById("dashboard");
    if (!root) return;
    drawMap();
    refresh();
    setInterval(refresh, 1000 * (parseInt(root.getAttribute("data-refresh"), 10) || 30));
    window.addEventListener("resize", function () {
      if (trendChart) trendChart.resize();
      if (categoryChart) categoryChart.resize();
    });
  });
})();
