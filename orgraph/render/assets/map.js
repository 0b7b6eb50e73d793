/* orgraph map page. Every value from the data is shown with textContent or drawn on the canvas;
   vis-network shows a string `title` as plain text (innerText). Nothing here uses innerHTML. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("orgraph-data").textContent);
  var state = { ready: false, firstRenderMs: null, frame: 0 };
  window.orgraphMap = state;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function legendRow(swatch, text) {
    var li = el("li");
    li.appendChild(swatch);
    li.appendChild(el("span", null, text));
    document.getElementById("legend-items").appendChild(li);
    return li;
  }

  function buildLegend(counts) {
    var ul = document.getElementById("legend-items");
    while (ul.firstChild) { ul.removeChild(ul.firstChild); }
    data.legend.forEach(function (item) {
      var sw = el("span", "swatch");
      sw.style.background = item.color;
      var n = counts && counts[item.key] !== undefined ? " (" + counts[item.key] + ")" : "";
      legendRow(sw, item.label + n).setAttribute("data-status", item.key);
    });
    var d = el("span", "swatch dashed");
    legendRow(d, "Dashed outline, grey label: has left");
    legendRow(el("span", "swatch ring"), "Red outline: a departed supervisor and the departures that followed " +
      "(flagged cascade)" + (counts && counts.cascade !== undefined ? " (" + counts.cascade + ")" : ""));
    var dia = el("span", "swatch diamond");
    dia.style.background = "#ffffff";
    legendRow(dia, "Diamond: holds a seat that keeps turning over (churn seat)" +
      (counts && counts.churn_seat !== undefined ? " (" + counts.churn_seat + ")" : ""));
    legendRow(el("span", "line"), "Arrow: supervisee \u2192 supervisor");
    legendRow(el("span", "line former"), "Dashed arrow: supervision that ended when someone left");
    legendRow(el("span", "line cascade"), "Red arrow: a departure that followed a supervisor's exit");
    var sz = el("span", "swatch");
    sz.style.background = "#4e79a7";
    sz.style.width = "8px"; sz.style.height = "8px";
    legendRow(sz, data.sizeLegend || "Size: active clients (caseload); small = no caseload data");
    var pr = el("span", "swatch diamond");
    pr.style.background = "#f3f6fa"; pr.style.borderColor = "#9fb3c8";
    legendRow(pr, "Shaded region: a program, named at its top left");
  }

  var container = document.getElementById("map");
  // timeline frames keep what changes; the rest is shared in nodeBase / edgeBase
  function frameNodes(f) {
    return f.nodes.map(function (d) { return Object.assign({}, (data.nodeBase || {})[d.id], d); });
  }
  function frameEdges(f) {
    return f.edges.map(function (e) { return typeof e === "number" ? Object.assign({}, data.edgeBase[e]) : e; });
  }
  var nodes = new vis.DataSet(data.frames ? frameNodes(data.frames[0]) : data.nodes);
  var edges = new vis.DataSet(data.frames ? frameEdges(data.frames[0]) : data.edges);
  var options = data.options;
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
  state.network = network; state.nodes = nodes; state.edges = edges;
  window.network = network;
  var t0 = performance.now();

  var boxes = null;
  function computeBoxes() {
    var pos = network.getPositions();
    var out = {};
    nodes.forEach(function (n) {
      var p = pos[n.id];
      if (!p || !n.program) { return; }
      var r = (n.size || 10) + 6;
      var b = out[n.program];
      if (!b) { out[n.program] = b = [p.x - r, p.y - r, p.x + r, p.y + r]; }
      b[0] = Math.min(b[0], p.x - r); b[1] = Math.min(b[1], p.y - r);
      b[2] = Math.max(b[2], p.x + r); b[3] = Math.max(b[3], p.y + r);
    });
    return out;
  }
  var physicsOn = !!data.physics;
  network.on("beforeDrawing", function (ctx) {
    if (!boxes || physicsOn) { boxes = computeBoxes(); }
    ctx.save();
    Object.keys(boxes).forEach(function (pid) {
      var b = boxes[pid];
      var pad = 18;
      ctx.fillStyle = "rgba(159, 179, 200, 0.12)";
      ctx.strokeStyle = "rgba(120, 140, 165, 0.55)";
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.rect(b[0] - pad, b[1] - pad - 22, b[2] - b[0] + 2 * pad, b[3] - b[1] + 2 * pad + 22);
      ctx.fill(); ctx.stroke();
      ctx.fillStyle = "#3d5a80";
      var scale = network.getScale() || 1;
      var label = String(data.programs[pid] || pid);
      var size = Math.min(120, Math.max(18, 14 / scale));
      ctx.font = "bold " + Math.round(size) + "px Helvetica, Arial, sans-serif";
      var room = b[2] - b[0] + 2 * pad - 12;
      var w = ctx.measureText(label).width;
      if (w > room) {  // shrink to fit the region; skip when unreadably small on screen
        size = size * room / w;
        ctx.font = "bold " + Math.max(1, Math.round(size)) + "px Helvetica, Arial, sans-serif";
      }
      if (size * scale >= 5) { ctx.fillText(label, b[0] - pad + 6, b[1] - pad - 4); }
    });
    ctx.restore();
  });
  network.on("dragEnd", function () { boxes = null; });
  network.once("afterDrawing", function () {
    state.firstRenderMs = performance.now() - t0;
    state.ready = true;
  });
  if (physicsOn) {
    network.once("stabilizationIterationsDone", function () {
      physicsOn = false;
      network.setOptions({ physics: { enabled: false } });
      boxes = null;
      state.stabilized = true;
    });
  }

  buildLegend(data.frames ? data.frames[0].counts : data.counts);
  if (data.notes && data.notes.length) {
    document.getElementById("notes-box").hidden = false;
    data.notes.forEach(function (t) { document.getElementById("notes").appendChild(el("li", null, t)); });
  }

  // find a person by name or id
  document.getElementById("search").addEventListener("change", function (ev) {
    var q = String(ev.target.value || "").toLowerCase().trim();
    var out = document.getElementById("search-result");
    if (!q) { out.textContent = ""; return; }
    var hits = nodes.get({ filter: function (n) {
      return String(n.label).toLowerCase().indexOf(q) >= 0 || String(n.id).toLowerCase() === q; } });
    out.textContent = hits.length ? hits.length + " found" + (hits.length > 1 ? "; showing the first" : "") :
      "No one on this map matches.";
    if (hits.length) {
      network.selectNodes([hits[0].id]);
      network.focus(hits[0].id, { scale: 1.2, animation: false });
    }
  });

  // timeline: one frame per date; positions are shared so people stay put
  if (data.frames) {
    var box = document.getElementById("timeline");
    box.hidden = false;
    var slider = document.getElementById("slider");
    slider.max = String(data.frames.length - 1);
    var show = function (i) {
      i = Math.max(0, Math.min(data.frames.length - 1, i));
      var f = data.frames[i];
      state.frame = i;
      slider.value = String(i);
      nodes.clear(); edges.clear();
      nodes.add(frameNodes(f)); edges.add(frameEdges(f));
      boxes = null;
      document.getElementById("frame-date").textContent = f.date;
      document.getElementById("frame-counts").textContent = f.summary;
      buildLegend(f.counts);
    };
    state.show = show;
    slider.addEventListener("input", function () { show(parseInt(slider.value, 10)); });
    document.getElementById("prev").addEventListener("click", function () { show(state.frame - 1); });
    document.getElementById("next").addEventListener("click", function () { show(state.frame + 1); });
    var timer = null;
    document.getElementById("play").addEventListener("click", function (ev) {
      if (timer) { clearInterval(timer); timer = null; ev.target.textContent = "Play"; return; }
      ev.target.textContent = "Pause";
      if (state.frame >= data.frames.length - 1) { show(0); }
      timer = setInterval(function () {
        if (state.frame >= data.frames.length - 1) { clearInterval(timer); timer = null;
          document.getElementById("play").textContent = "Play"; return; }
        show(state.frame + 1);
      }, 1200);
    });
    show(0);
  }
})();
