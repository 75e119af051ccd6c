/*
 * techvalley inventory location picker (our code): a Leaflet map where a click pins the zone and
 * fills the latitude/longitude fields; typing coordinates moves the pin. The server checks the
 * point (on Morocco's land, not swapped) when the form is sent.
 *
 * The page gives: <div id="picker" data-lat data-lon data-others='[{"name","lat","lon"}]'>,
 * inputs #lat and #lon. Handle: window.inventoryPicker = {map, marker, pick(lat, lon)}.
 * Zone names are put in the page with textContent (tooltips as text), never as HTML.
 */
(function () {
  "use strict";

  function start() {
    var box = document.getElementById("picker");
    var latInput = document.getElementById("lat");
    var lonInput = document.getElementById("lon");
    if (!box || !latInput || !lonInput || !window.L) return;
    var lat = parseFloat(box.dataset.lat);
    var lon = parseFloat(box.dataset.lon);
    var known = isFinite(lat) && isFinite(lon);
    var map = L.map(box).setView(known ? [lat, lon] : [31.8, -7.1], known ? 12 : 5);
    L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 19,
      attribution: "© OpenStreetMap",
    }).addTo(map);
    var others = [];
    try { others = JSON.parse(box.dataset.others || "[]"); } catch (e) { others = []; }
    others.forEach(function (zone) {
      if (!isFinite(zone.lat) || !isFinite(zone.lon)) return;
      var tip = document.createElement("span");
      tip.textContent = zone.name;
      L.circleMarker([zone.lat, zone.lon], { radius: 5, color: "#777", weight: 1 })
        .bindTooltip(tip).addTo(map);
    });
    var marker = known ? L.marker([lat, lon]).addTo(map) : null;

    function pick(newLat, newLon) {
      if (marker) marker.setLatLng([newLat, newLon]);
      else marker = L.marker([newLat, newLon]).addTo(map);
      handle.marker = marker;
      latInput.value = newLat.toFixed(6);
      lonInput.value = newLon.toFixed(6);
    }
    map.on("click", function (event) { pick(event.latlng.lat, event.latlng.lng); });
    function typed() {
      var a = parseFloat(latInput.value.replace(",", "."));
      var b = parseFloat(lonInput.value.replace(",", "."));
      if (isFinite(a) && isFinite(b) && Math.abs(a) <= 90 && Math.abs(b) <= 180) {
        if (marker) marker.setLatLng([a, b]);
        else { marker = L.marker([a, b]).addTo(map); handle.marker = marker; }
        map.panTo([a, b]);
      }
    }
    latInput.addEventListener("change", typed);
    lonInput.addEventListener("change", typed);
    var handle = (window.inventoryPicker = { map: map, marker: marker, pick: pick });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
