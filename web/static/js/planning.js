/* The planning page (our code): a click (or Enter) on a parcel's row flies the map to it.
 * Rows carry data-bounds="south,west,north,east"; the map's handle is window.techvalleyMap. */
(function () {
  "use strict";
  var table = document.getElementById("parcels");
  if (!table) return;
  function fly(row) {
    var handle = window.techvalleyMap;
    var b = (row.getAttribute("data-bounds") || "").split(",").map(Number);
    if (!handle || !handle.map || b.length !== 4 || b.some(isNaN)) return;
    Array.prototype.forEach.call(table.querySelectorAll("tr.selected"), function (r) {
      r.classList.remove("selected");
    });
    row.classList.add("selected");
    handle.map.flyToBounds([[b[0], b[1]], [b[2], b[3]]], { maxZoom: 13, duration: 0.8 });
    document.getElementById("planning-map").scrollIntoView({ block: "nearest" });
  }
  table.addEventListener("click", function (e) {
    var row = e.target.closest("tr[data-bounds]");
    if (!row) return;
    e.preventDefault();
    fly(row);
  });
  table.addEventListener("keydown", function (e) {
    if (e.key !== "Enter") return;
    var row = e.target.closest("tr[data-bounds]");
    if (row) { e.preventDefault(); fly(row); }
  });
})();
