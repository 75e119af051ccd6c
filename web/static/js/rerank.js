/* The result page's weight sliders: as one moves, the shortlist is ranked again through
 * POST /api/v1/rank (nothing is stored) and the ranked table is reordered in place. Without
 * JavaScript the sliders' form posts to /match/reweight and the server renders the page. */
(function () {
  "use strict";
  var form = document.getElementById("weights");
  var table = document.querySelector("table.ranked tbody");
  if (!form || !table || !window.fetch) return;
  var status = form.querySelector(".live-status");
  var sliders = form.querySelectorAll('input[type="range"]');
  var base;
  try { base = JSON.parse(form.getAttribute("data-requirements")); } catch (e) { return; }
  var lang = document.documentElement.lang || "en";
  var fmt = new Intl.NumberFormat(lang, { minimumFractionDigits: 3, maximumFractionDigits: 3 });
  var pct = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 });
  var timer = null, pending = null;

  function say(text) { if (status) status.textContent = text; }

  function body() {
    var doc = JSON.parse(JSON.stringify(base));
    var weights = {};
    Array.prototype.forEach.call(sliders, function (s) { weights[s.getAttribute("data-column")] = Number(s.value); });
    (doc.criteria || []).forEach(function (c) { if (c.column in weights) c.weight = weights[c.column]; });
    delete doc.ahp;
    return doc;
  }

  function apply(result) {
    var ranked = result.ranked || [];
    var top = ranked.reduce(function (m, z) { return typeof z.score === "number" && z.score > m ? z.score : m; }, 0);
    var rows = {};
    Array.prototype.forEach.call(table.querySelectorAll("tr[data-id]"), function (tr) { rows[tr.getAttribute("data-id")] = tr; });
    var shown = 0, missing = 0;
    ranked.forEach(function (z) {
      var tr = rows[z.id];
      if (!tr) { missing += 1; return; }
      delete rows[z.id];
      tr.hidden = false;
      tr.querySelector(".rank").textContent = z.rank;
      var bar = tr.querySelector(".bar");
      if (bar) bar.style.width = (top > 0 && typeof z.score === "number" ? Math.max(z.score, 0) / top * 100 : 0).toFixed(1) + "%";
      var value = tr.querySelector(".score-value");
      if (value && typeof z.score === "number") value.textContent = fmt.format(z.score);
      var rob = tr.querySelector(".rob"), r = (result.robustness || {})[z.id];
      if (rob && r && typeof r.p_first === "number" && typeof r.p_top3 === "number") {
        rob.textContent = pct.format(r.p_first) + " / " + pct.format(r.p_top3);
      }
      table.appendChild(tr);
      shown += 1;
    });
    Object.keys(rows).forEach(function (id) { rows[id].hidden = true; });
    var text = form.getAttribute("data-msg-done").replace("%(n)s", String(shown));
    if (missing || Object.keys(rows).length) text += " " + form.getAttribute("data-msg-changed");
    say(text);
  }

  function rank() {
    if (pending) pending.abort();
    pending = new AbortController();
    say(form.getAttribute("data-msg-busy"));
    fetch(form.getAttribute("data-rank-url"), {
      method: "POST", headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body()), signal: pending.signal, credentials: "same-origin"
    }).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      return r.json();
    }).then(apply).catch(function (e) {
      if (e.name !== "AbortError") say(form.getAttribute("data-msg-failed"));
    });
  }

  Array.prototype.forEach.call(sliders, function (s) {
    s.addEventListener("input", function () {
      var out = form.querySelector('output[for="' + s.id + '"]');
      if (out) out.textContent = s.value;
      clearTimeout(timer);
      timer = setTimeout(rank, 150);
    });
  });
})();
