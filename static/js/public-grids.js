/* Haidian grid management, public pages: the map of all grids (#grids-map) and one grid's outline
 * (#grid-outline-map). Plain ES2017, no build step; Leaflet from static/vendor/leaflet. No tile layer
 * unless <body data-tile-url="..."> names a local tile server: our own outlines on a blank background.
 * Visible words come from the page's data-text-* attributes (translated on the server). */
(function () {
  "use strict";

  var BLUE = "#1f4e8c";
  var PLACEHOLDER = "000000000000000";

  function createMap(el, options) {
    var fallback = el.querySelector(".map-fallback");
    if (fallback) el.removeChild(fallback);
    var map = L.map(el, Object.assign({ maxZoom: 19, preferCanvas: true }, options || {}));
    var tileUrl = document.body && document.body.dataset ? document.body.dataset.tileUrl : "";
    if (typeof tileUrl === "string" && tileUrl.trim() !== "") {
      L.tileLayer(tileUrl.trim(), { maxZoom: 19 }).addTo(map);
    }
    return map;
  }

  function text(el, name) {
    return el.getAttribute("data-text-" + name) || "";
  }

  function escapeHtml(value) {
    return String(value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  /* Every grid's outline; a tap opens a popup with a link to its roster. */
  async function initGridsMap(el) {
    var status = document.getElementById("grid-status");
    var rosterUrl = el.getAttribute("data-roster-url");
    var map = createMap(el);
    map.setView([40.0, 116.22], 11);

    function setStatus(value) {
      if (status) status.textContent = value;
    }

    setStatus(text(el, "loading"));
    try {
      var response = await fetch(el.getAttribute("data-outlines-url"), { headers: { Accept: "application/geo+json" } });
      if (!response.ok) throw new Error("HTTP " + response.status);
      var data = await response.json();
      var layer = L.geoJSON(data, {
        style: { color: BLUE, weight: 1, fillColor: BLUE, fillOpacity: 0.06 },
        onEachFeature: function (feature, shape) {
          var p = feature.properties || {};
          shape.bindPopup(
            "<strong>" + escapeHtml(p.name) + "</strong><br>" + escapeHtml(p.street) + " · " + escapeHtml(p.community) +
            "<br>" + escapeHtml(p.code) + '<br><a href="' + rosterUrl.replace(PLACEHOLDER, encodeURIComponent(p.code)) +
            '">' + escapeHtml(text(el, "open")) + "</a>"
          );
        },
      }).addTo(map);
      var bounds = layer.getBounds();
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8] });
      el.setAttribute("data-grids", String(data.features ? data.features.length : 0));
      setStatus("");
    } catch (err) {
      setStatus(String(err && err.message ? err.message : err));
    }

    var button = document.getElementById("find-my-grid");
    if (!button) return;
    button.addEventListener("click", function () {
      if (!navigator.geolocation) {
        setStatus(text(el, "nolocation"));
        return;
      }
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(
        async function (position) {
          var url = el.getAttribute("data-locate-url") + "?lat=" + position.coords.latitude + "&lng=" + position.coords.longitude;
          try {
            var answer = await fetch(url, { headers: { Accept: "application/json" } });
            if (answer.status === 404) {
              setStatus(text(el, "outside"));
            } else if (answer.ok) {
              window.location.href = (await answer.json()).url;
              return;
            } else {
              setStatus("HTTP " + answer.status);
            }
          } catch (err) {
            setStatus(text(el, "nolocation"));
          }
          button.disabled = false;
        },
        function () {
          button.disabled = false;
          setStatus(text(el, "nolocation"));
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  }

  /* One grid's outline on its roster page, from the GeoJSON the page carries. */
  function initOutlineMap(el) {
    var source = document.getElementById("grid-outline");
    if (!source) return;
    var map = createMap(el, { zoomControl: false, dragging: false, scrollWheelZoom: false, doubleClickZoom: false,
                              touchZoom: false, boxZoom: false, keyboard: false });
    var layer = L.geoJSON(JSON.parse(source.textContent), {
      style: { color: BLUE, weight: 2, fillColor: BLUE, fillOpacity: 0.15 },
      interactive: false,
    }).addTo(map);
    var bounds = layer.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [16, 16] });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof window.L === "undefined") return; // leaflet.js missing: the fallback text stays.
    var grids = document.getElementById("grids-map");
    if (grids) initGridsMap(grids);
    var outline = document.getElementById("grid-outline-map");
    if (outline) initOutlineMap(outline);
  });
})();
