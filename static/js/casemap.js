/* Haidian grid management: Leaflet maps for a case (#case-map) and the report form (#report-map).
 * Plain ES2017, no build step. Everything is served from our own static files (leaflet.js, leaflet.css
 * and its images under static/vendor/leaflet/, installed by scripts/assets): the intranet is offline,
 * so there is no tile layer unless <body data-tile-url="..."> names a local tile server. */
(function () {
  "use strict";

  var DEFAULT_VIEW = { lat: 39.99, lng: 116.30, zoom: 12 };
  var DETAIL_ZOOM = 16;
  var BLUE = "#1f4e8c";
  var RED = "#b3261e";

  function isChinese() {
    return /^zh/i.test(document.documentElement.lang || "zh");
  }

  function parseCoord(value) {
    if (value === undefined || value === null) return NaN;
    var text = String(value).trim().replace(",", ".");
    if (text === "") return NaN;
    var n = Number(text);
    return isFinite(n) ? n : NaN;
  }

  function validLatLng(lat, lng) {
    return !isNaN(lat) && !isNaN(lng) && Math.abs(lat) <= 90 && Math.abs(lng) <= 180;
  }

  /* Folder of Leaflet's marker images, ending in "/". data-leaflet-images may hold the images folder
   * itself, the folder of leaflet.js, or the URL of leaflet.js; without it, the <script> that loaded
   * leaflet.js is used. Returns null when neither is known (Leaflet then reads leaflet.css). */
  function leafletImagesPath(el) {
    var value = (el.getAttribute("data-leaflet-images") || "").trim();
    if (!value) {
      var scripts = document.getElementsByTagName("script");
      for (var i = 0; i < scripts.length; i++) {
        if (/(^|\/)leaflet\.js([?#].*)?$/.test(scripts[i].src)) {
          value = scripts[i].src;
          break;
        }
      }
    }
    if (!value) return null;
    value = value.replace(/[?#].*$/, "");
    if (/\.js$/i.test(value)) value = value.replace(/\/[^/]*$/, "") + "/images/";
    else if (!/(^|\/)images\/?$/.test(value)) value = value.replace(/\/+$/, "") + "/images/";
    return value.replace(/\/*$/, "/");
  }

  function createMap(el) {
    var fallback = el.querySelector(".map-fallback");
    if (fallback && fallback.parentNode === el) el.removeChild(fallback);

    var images = leafletImagesPath(el);
    if (images) L.Icon.Default.imagePath = images;

    var zh = isChinese();
    var map = L.map(el, { maxZoom: 19, zoomControl: false });
    L.control.zoom({
      zoomInTitle: zh ? "放大" : "Zoom in",
      zoomOutTitle: zh ? "缩小" : "Zoom out",
    }).addTo(map);

    var tileUrl = document.body && document.body.dataset ? document.body.dataset.tileUrl : "";
    if (typeof tileUrl === "string" && tileUrl.trim() !== "") {
      L.tileLayer(tileUrl.trim(), { maxZoom: 19 }).addTo(map);
    }
    return map;
  }

  async function fetchBoundary(url) {
    var response = await fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!response.ok) throw new Error("HTTP " + response.status);
    var data = await response.json();
    if (!data || !data.boundary || !data.boundary.type) throw new Error("no boundary");
    return data.boundary;
  }

  /* Case detail: the case's location and its grid's boundary. */
  async function initCaseMap(el) {
    var lat = parseCoord(el.getAttribute("data-lat"));
    var lng = parseCoord(el.getAttribute("data-lng"));
    var gridUrl = (el.getAttribute("data-grid-url") || "").trim();
    var hasPoint = validLatLng(lat, lng);

    var map = createMap(el);
    var marker = null;
    if (hasPoint) {
      marker = L.circleMarker([lat, lng], {
        radius: 7, color: "#fff", weight: 2, fillColor: RED, fillOpacity: 1,
      }).addTo(map);
    }

    function fallbackView() {
      if (hasPoint) map.setView([lat, lng], DETAIL_ZOOM);
      else map.setView([DEFAULT_VIEW.lat, DEFAULT_VIEW.lng], DEFAULT_VIEW.zoom);
    }

    if (!gridUrl) {
      fallbackView();
      return map;
    }
    try {
      var boundary = await fetchBoundary(gridUrl);
      var layer = L.geoJSON(boundary, {
        style: { color: BLUE, weight: 2, fillColor: BLUE, fillOpacity: 0.12 },
        interactive: false,
      }).addTo(map);
      var bounds = layer.getBounds();
      if (!bounds.isValid()) throw new Error("empty boundary");
      if (hasPoint) bounds.extend([lat, lng]);
      map.fitBounds(bounds, { padding: [16, 16], maxZoom: 18 });
      if (marker) marker.bringToFront();
    } catch (err) {
      fallbackView();
    }
    return map;
  }

  /* Report form: pick the location by clicking the map, dragging the marker or "use my location". */
  function initReportMap(el, latInput, lngInput, button) {
    var status = document.getElementById("location-status");
    var map = createMap(el);
    var marker = null;

    function setStatus(text) {
      if (status) status.textContent = text;
    }

    function place(lat, lng, writeInputs) {
      if (writeInputs) {
        latInput.value = lat.toFixed(6);
        lngInput.value = lng.toFixed(6);
        [latInput, lngInput].forEach(function (input) {
          input.dispatchEvent(new Event("input", { bubbles: true }));
          input.dispatchEvent(new Event("change", { bubbles: true }));
        });
      }
      if (marker) {
        marker.setLatLng([lat, lng]);
      } else {
        marker = L.marker([lat, lng], { draggable: true, keyboard: false }).addTo(map);
        marker.on("dragend", function () {
          var p = marker.getLatLng();
          place(p.lat, p.lng, true);
        });
      }
    }

    var lat = parseCoord(latInput.value);
    var lng = parseCoord(lngInput.value);
    if (validLatLng(lat, lng)) {
      place(lat, lng, false);
      map.setView([lat, lng], DETAIL_ZOOM);
    } else {
      map.setView([DEFAULT_VIEW.lat, DEFAULT_VIEW.lng], DEFAULT_VIEW.zoom);
    }

    map.on("click", function (e) {
      place(e.latlng.lat, e.latlng.lng, true);
      setStatus("");
    });

    button.addEventListener("click", function (event) {
      event.preventDefault();
      if (!navigator.geolocation) {
        setStatus(isChinese() ? "此浏览器不支持定位。" : "This browser cannot report its location.");
        return;
      }
      button.disabled = true;
      setStatus("");
      navigator.geolocation.getCurrentPosition(
        function (position) {
          button.disabled = false;
          var p = position.coords;
          place(p.latitude, p.longitude, true);
          map.setView([p.latitude, p.longitude], Math.max(map.getZoom() || 0, DETAIL_ZOOM));
        },
        function (error) {
          button.disabled = false;
          setStatus(error && error.message ? error.message : (isChinese() ? "无法获取位置。" : "Location unavailable."));
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
    return map;
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof window.L === "undefined") return; // leaflet.js missing: the .map-fallback text stays.

    var caseEl = document.getElementById("case-map");
    if (caseEl) initCaseMap(caseEl);

    var reportEl = document.getElementById("report-map");
    var latInput = document.getElementById("id_lat");
    var lngInput = document.getElementById("id_lng");
    var button = document.getElementById("use-location");
    if (reportEl && latInput && lngInput && button) initReportMap(reportEl, latInput, lngInput, button);
  });
})();
