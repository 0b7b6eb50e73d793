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
    legendRow(sz, data.sizeLegend || "Size: directors and supervisors larger than the people they supervise");
    var pr = el("span", "swatch diamond");
    pr.style.background = "#f3f6fa"; pr.style.borderColor = "#9fb3c8";
    legendRow(pr, "Shaded region: a program, named at its top left; each supervisor sits in the middle of " +
      "their team");
  }

  var container = document.getElementById("map");
  // timeline frames keep what changes; the rest is shared in nodeBase / edgeBase
  function frameNodes(f) {
    return f.nodes.map(function (d) { return Object.assign({}, (data.nodeBase || {})[d.id], d); });
  }
  function frameEdges(f) {
    return f.edges.map(function (e) { return typeof e === "number" ? Object.assign({}, data.edgeBase[e]) : e; });
  }

  // team level: a large map opens with one circle per team; clicking a circle shows its people
  var teams = data.teams || [];
  var teamById = {}, teamOf = {}, expanded = {};
  teams.forEach(function (t) {
    teamById[t.id] = t;
    t.members.forEach(function (m) { teamOf[m] = t.id; });
  });
  function shownId(id) {
    var t = teamOf[id];
    return t && !expanded[t] ? t : id;
  }
  function visibleNodes() {
    var out = data.nodes.filter(function (n) { return shownId(n.id) === n.id; });
    teams.forEach(function (t) { if (!expanded[t.id]) { out.push(Object.assign({}, t, { members: undefined })); } });
    return out;
  }
  function visibleEdges() {
    if (!teams.length) { return data.edges; }
    var merged = {}, out = [];
    data.edges.forEach(function (e) {
      var a = shownId(e.from), b = shownId(e.to);
      if (a === b) { return; }
      if (a === e.from && b === e.to) { out.push(e); return; }
      var key = a + "\u0000" + b;
      var m = merged[key];
      if (!m) {
        m = merged[key] = Object.assign({}, e, { id: "agg:" + key, from: a, to: b, count: 0 });
        out.push(m);
      }
      m.count += 1;
      if (e.kind === "cascade" || (e.kind === "current" && m.kind === "former")) {
        Object.assign(m, { kind: e.kind, color: e.color, dashes: e.dashes });
      }
    });
    out.forEach(function (e) {
      if (e.count) {
        e.width = Math.min(1 + Math.log2(e.count + 1), 8);
        e.title = e.count + (e.count === 1 ? " supervision link" : " supervision links");
      }
    });
    return out;
  }

  var nodes = new vis.DataSet(data.frames ? frameNodes(data.frames[0]) : visibleNodes());
  var edges = new vis.DataSet(data.frames ? frameEdges(data.frames[0]) : visibleEdges());
  var options = data.options;
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
  // fit the whole map on open, and again when the window changes size until the reader zooms or drags
  var moved = false;
  if (!data.physics) { network.fit({ animation: false }); }
  network.on("zoom", function () { moved = true; });
  network.on("dragEnd", function () { moved = true; });
  network.on("resize", function () { if (!moved && !data.physics) { network.fit({ animation: false }); } });
  state.network = network; state.nodes = nodes; state.edges = edges; state.expanded = expanded;
  window.network = network;
  var t0 = performance.now();

  // labels sized to read when the whole map fits (team circles, leaders) stop growing past labelCap pixels
  function capLabels() {
    var s = network.getScale(), changed = [];
    nodes.forEach(function (n) {
      if (!n.labelCap) { return; }
      var size = Math.min(n.fontBase, n.labelCap / s);
      if (Math.abs(size - n.font.size) > 0.01) {
        changed.push({ id: n.id, font: Object.assign({}, n.font, { size: size }) });
      }
    });
    if (changed.length) { nodes.update(changed); }
  }
  network.on("zoom", capLabels);
  state.capLabels = capLabels;

  function expand(tid, focus) {
    var t = teamById[tid];
    if (!t || expanded[tid]) { return; }
    expanded[tid] = true;
    nodes.remove(tid);
    nodes.add(data.nodes.filter(function (n) { return teamOf[n.id] === tid; }));
    edges.clear(); edges.add(visibleEdges());
    if (focus) { network.fit({ nodes: t.members, animation: false }); }
    capLabels();
  }
  function setAll(open) {
    teams.forEach(function (t) { expanded[t.id] = open; });
    nodes.clear(); nodes.add(visibleNodes());
    edges.clear(); edges.add(visibleEdges());
    network.fit({ animation: false });
    capLabels();
  }
  state.expand = expand; state.setAll = setAll;
  if (teams.length) {
    document.getElementById("teams-box").hidden = false;
    document.getElementById("teams-note").textContent = data.nodes.length + " people in " + teams.length +
      " teams: click a team to show its people.";
    document.getElementById("show-all").addEventListener("click", function () { setAll(true); });
    document.getElementById("show-teams").addEventListener("click", function () { setAll(false); });
    network.on("click", function (p) {
      if (p.nodes.length && teamById[p.nodes[0]]) { expand(p.nodes[0], true); }
    });
  }

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
    Object.keys(out).forEach(function (k) {  // pad, and room above for the name
      var b = out[k];
      out[k] = [b[0] - 18, b[1] - 58, b[2] + 18, b[3] + 18, 40];
    });
    return out;
  }
  var physicsOn = !!data.physics;
  var regions = data.regions && Object.keys(data.regions).length ? data.regions : null;
  network.on("beforeDrawing", function (ctx) {
    if (regions && !physicsOn) { boxes = regions; }
    else if (!boxes || physicsOn) { boxes = computeBoxes(); }
    ctx.save();
    var scale = network.getScale() || 1;
    Object.keys(boxes).forEach(function (pid) {
      var b = boxes[pid];
      ctx.fillStyle = "rgba(159, 179, 200, 0.12)";
      ctx.strokeStyle = "rgba(120, 140, 165, 0.55)";
      ctx.lineWidth = 1.5 / scale;
      ctx.beginPath();
      ctx.rect(b[0], b[1], b[2] - b[0], b[3] - b[1]);
      ctx.fill(); ctx.stroke();
      ctx.fillStyle = "#3d5a80";
      var label = String(data.programs[pid] || pid || "No program");
      var size = Math.max(b[4] * 0.62, 15 / scale);  // at least 15 px on screen, else most of the title strip
      ctx.font = "bold " + Math.round(size) + "px Helvetica, Arial, sans-serif";
      var room = b[2] - b[0] - 16;
      var w = ctx.measureText(label).width;
      if (w > room) {  // shrink to fit the region; skip when unreadably small on screen
        size = size * room / w;
        ctx.font = "bold " + Math.max(1, Math.round(size)) + "px Helvetica, Arial, sans-serif";
      }
      if (size * scale >= 6) { ctx.fillText(label, b[0] + 8, b[1] + Math.min(b[4], size * 1.1) - 4); }
    });
    ctx.restore();
  });
  network.on("dragEnd", function () { if (!regions) { boxes = null; } });
  network.once("afterDrawing", function () {
    state.firstRenderMs = performance.now() - t0;
    state.ready = true;
  });
  if (physicsOn) {
    network.once("stabilizationIterationsDone", function () {
      physicsOn = false;
      regions = null;
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

  // find a person by name or id (opening their team at team level)
  document.getElementById("search").addEventListener("change", function (ev) {
    var q = String(ev.target.value || "").toLowerCase().trim();
    var out = document.getElementById("search-result");
    if (!q) { out.textContent = ""; return; }
    var pool = data.frames ? nodes.get() : data.nodes;
    var hits = pool.filter(function (n) {
      return String(n.name || n.label).toLowerCase().indexOf(q) >= 0 || String(n.id).toLowerCase() === q; });
    out.textContent = hits.length ? hits.length + " found" + (hits.length > 1 ? "; showing the first" : "") :
      "No one on this map matches.";
    if (hits.length) {
      if (teamOf[hits[0].id]) { expand(teamOf[hits[0].id], false); }
      network.selectNodes([hits[0].id]);
      network.focus(hits[0].id, { scale: 1.2, animation: false });
      capLabels();
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
