// The page of `kg viz`: draws the graph embedded as JSON in #kg-data with vis-network.
// Every text of the data reaches the page through textContent (tooltips are elements
// built here), never as HTML.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("kg-data").textContent);
  const FONT = '"Noto Sans", "DejaVu Sans", Arial, sans-serif';
  const FADED = "#e5e8e8";
  const SHAPE_GLYPHS = { dot: "●", diamond: "◆", star: "★", triangle: "▲", triangleDown: "▼", hexagon: "⬢", square: "■" };
  const levelColour = Object.fromEntries(data.styles.levels.map((level) => [level.name, level.colour]));
  const relationStyle = Object.fromEntries(data.styles.relations.map((relation) => [relation.name, relation]));
  const byId = new Map(data.nodes.map((node) => [node.id, node]));
  const big = data.nodes.length > 300 || data.edges.length > 600;
  const state = { ready: false, focused: null, chain: null, force: false, moving: false };

  function fold(text) {
    return text.replace(/đ/g, "d").replace(/Đ/g, "D").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function textElement(text, className) {
    const element = document.createElement("div");
    element.className = className;
    element.textContent = text;
    return element;
  }

  function nodeColours(node, faded) {
    const colour = faded ? FADED : levelColour[node.level];
    const border = faded ? FADED : node.kind === "unresolved" ? "#17202a" : colour;
    return {
      color: { background: colour, border: border, highlight: { background: colour, border: "#17202a" }, hover: { background: colour, border: "#17202a" } },
      font: { color: faded ? "#b3b6b7" : "#1c2833", face: FONT, size: 14, strokeWidth: 3, strokeColor: "#ffffff" },
    };
  }

  function edgeColours(edge, faded) {
    const colour = faded ? FADED : relationStyle[edge.relation].colour;
    return { color: { color: colour, highlight: colour, hover: colour, opacity: faded ? 0.6 : 1 } };
  }

  const nodes = new vis.DataSet(
    data.nodes.map((node) =>
      Object.assign(
        {
          id: node.id,
          label: node.label,
          title: textElement(node.tooltip, "kg-tip"),
          shape: node.shape,
          size: node.size,
          x: node.x,
          y: node.y,
          opacity: node.context ? 0.45 : 1,
          borderWidth: node.kind === "unresolved" ? 2 : 1,
          shapeProperties: { borderDashes: node.kind === "unresolved" ? [4, 3] : false },
        },
        nodeColours(node, false),
      ),
    ),
  );

  const pairCount = new Map();
  const edgeItems = data.edges.map((edge, index) => {
    const pair = edge.from + "\u0000" + edge.to;
    const repeat = pairCount.get(pair) || 0;
    pairCount.set(pair, repeat + 1);
    const style = relationStyle[edge.relation];
    return Object.assign(
      {
        id: "e" + index,
        from: edge.from,
        to: edge.to,
        relation: edge.relation,
        title: textElement(edge.tooltip, "kg-tip"),
        dashes: style.dashes.length ? style.dashes : false,
        width: 1 + Math.log2(1 + edge.sources),
        // A second relation between the same two documents is drawn beside the first.
        smooth: repeat ? { enabled: true, type: "curvedCW", roundness: 0.2 * repeat } : undefined,
      },
      edgeColours(edge, false),
    );
  });
  const edges = new vis.DataSet(edgeItems);

  const hiddenRelations = new Set();
  const hiddenLevels = new Set();
  const nodesView = new vis.DataView(nodes, { filter: (item) => !hiddenLevels.has(byId.get(item.id).level) });
  const edgesView = new vis.DataView(edges, {
    filter: (item) =>
      !hiddenRelations.has(item.relation) && !hiddenLevels.has(byId.get(item.from).level) && !hiddenLevels.has(byId.get(item.to).level),
  });

  const container = document.getElementById("kg-network");
  const network = new vis.Network(
    container,
    { nodes: nodesView, edges: edgesView },
    {
      autoResize: true,
      layout: { improvedLayout: false, randomSeed: 1 },
      physics: {
        enabled: false,
        solver: "forceAtlas2Based",
        stabilization: { enabled: true, iterations: 200, updateInterval: 50, fit: true },
      },
      interaction: { hover: true, tooltipDelay: 150, hideEdgesOnDrag: big, hideEdgesOnZoom: big, keyboard: false },
      nodes: { font: { face: FONT }, widthConstraint: { maximum: 150 } },
      edges: {
        arrows: { to: { enabled: true, scaleFactor: 0.6 } },
        smooth: big ? false : { enabled: true, type: "cubicBezier", forceDirection: "vertical", roundness: 0.4 },
        selectionWidth: 2,
        hoverWidth: 1.5,
      },
    },
  );
  network.once("afterDrawing", () => {
    state.ready = true;
    document.body.dataset.ready = "true";
  });

  // ---- the chain of a document: what it implements or cites, and what implements it ----

  function chainOf(id) {
    const visible = edgesView.get();
    const outgoing = new Map();
    const incoming = new Map();
    for (const edge of visible) {
      if (!outgoing.has(edge.from)) outgoing.set(edge.from, []);
      if (!incoming.has(edge.to)) incoming.set(edge.to, []);
      outgoing.get(edge.from).push(edge);
      incoming.get(edge.to).push(edge);
    }
    const chainNodes = new Set([id]);
    const chainEdges = new Set();
    for (const [links, end] of [[outgoing, "to"], [incoming, "from"]]) {
      const queue = [id];
      const seen = new Set([id]);
      while (queue.length) {
        for (const edge of links.get(queue.shift()) || []) {
          chainEdges.add(edge.id);
          if (!seen.has(edge[end])) {
            seen.add(edge[end]);
            chainNodes.add(edge[end]);
            queue.push(edge[end]);
          }
        }
      }
    }
    return { nodes: chainNodes, edges: chainEdges };
  }

  function paint(chain) {
    state.chain = chain ? Array.from(chain.nodes) : null;
    nodes.update(data.nodes.map((node) => Object.assign({ id: node.id }, nodeColours(node, chain !== null && !chain.nodes.has(node.id)))));
    edges.update(data.edges.map((edge, index) => Object.assign({ id: "e" + index }, edgeColours(edge, chain !== null && !chain.edges.has("e" + index)))));
  }

  network.on("click", (params) => {
    if (params.nodes.length) paint(chainOf(params.nodes[0]));
    else if (!params.edges.length) paint(null);
  });

  // ---- search ----

  const searchable = data.nodes.map((node) => ({ node: node, number: fold(node.name).split(/[-/\s]/)[0].replace(/^0+(?=\d)/, "") }));

  function find(query) {
    const words = fold(query).trim().split(/\s+/).filter(Boolean);
    if (!words.length) return [];
    const whole = words.join(" ");
    const found = [];
    for (const { node, number } of searchable) {
      const name = fold(node.name);
      let rank;
      if (name === whole) rank = 0;
      else if (name.startsWith(whole)) rank = 1;
      else if (words.every((word) => (/^\d+$/.test(word) ? number === word.replace(/^0+(?=\d)/, "") || node.search.includes(word) : node.search.includes(word))))
        rank = words.some((word) => /^\d+$/.test(word) && number === word.replace(/^0+(?=\d)/, "")) ? 2 : 3;
      else continue;
      found.push({ node: node, rank: rank + (node.context ? 0.5 : 0) });
    }
    found.sort((a, b) => a.rank - b.rank || a.node.name.localeCompare(b.node.name, "vi"));
    return found.slice(0, 30).map((item) => item.node);
  }

  function focus(id) {
    const level = byId.get(id).level;
    if (hiddenLevels.has(level)) {
      hiddenLevels.delete(level);
      document.querySelector('#kg-levels input[value="' + level + '"]').checked = true;
      refresh();
    }
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1), animation: false });
    paint(chainOf(id));
    state.focused = id;
  }

  const searchBox = document.getElementById("kg-search");
  const results = document.getElementById("kg-results");
  function showResults() {
    results.replaceChildren();
    if (!searchBox.value.trim()) return [];
    const found = find(searchBox.value);
    if (!found.length) {
      const empty = document.createElement("li");
      empty.className = "kg-empty";
      empty.textContent = "No document fits.";
      results.append(empty);
    }
    for (const node of found) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = [node.type ? node.type + " " + node.name : node.name, node.label.split("\n")[1]].filter(Boolean).join(" · ");
      button.title = node.tooltip;
      button.addEventListener("click", () => focus(node.id));
      item.append(button);
      results.append(item);
    }
    return found;
  }
  searchBox.addEventListener("input", showResults);
  searchBox.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      const found = showResults();
      if (found.length) focus(found[0].id);
    } else if (event.key === "Escape") {
      searchBox.value = "";
      showResults();
    }
  });

  // ---- legend and filters ----

  function refresh() {
    nodesView.refresh();
    edgesView.refresh();
  }

  function legendItem(list, value, marker, text, hidden) {
    const item = document.createElement("li");
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = true;
    box.value = value;
    box.addEventListener("change", () => {
      if (box.checked) hidden.delete(value);
      else hidden.add(value);
      refresh();
    });
    label.append(box, marker, document.createTextNode(" " + text));
    item.append(label);
    list.append(item);
  }

  const presentRelations = new Set(data.edges.map((edge) => edge.relation));
  for (const relation of data.styles.relations.filter((r) => presentRelations.has(r.name))) {
    const line = document.createElement("span");
    line.className = "kg-line";
    line.style.borderTopStyle = relation.dashes.length ? "dashed" : "solid";
    line.style.borderTopColor = relation.colour;
    legendItem(document.getElementById("kg-relations"), relation.name, line, relation.label + " · " + relation.name, hiddenRelations);
  }
  const presentLevels = new Set(data.nodes.map((node) => node.level));
  for (const level of data.styles.levels.filter((l) => presentLevels.has(l.name))) {
    const swatch = document.createElement("span");
    swatch.className = "kg-swatch";
    swatch.style.background = level.colour;
    legendItem(document.getElementById("kg-levels"), level.name, swatch, level.label + " · " + level.name, hiddenLevels);
  }
  for (const type of data.styles.types) {
    const item = document.createElement("li");
    const glyph = document.createElement("span");
    glyph.className = "kg-shape";
    glyph.textContent = SHAPE_GLYPHS[type.shape];
    item.append(glyph, document.createTextNode(" " + type.label));
    document.getElementById("kg-types").append(item);
  }
  if (data.nodes.some((node) => node.kind === "group")) {
    const item = document.createElement("li");
    item.textContent = "“Province · type (n)”: n local documents collapsed into one node";
    document.getElementById("kg-types").append(item);
  }

  document.getElementById("kg-counts").textContent = data.nodes.length + " documents · " + data.edges.length + " relations";

  // ---- layout toggle ----

  const layoutButton = document.getElementById("kg-layout");
  layoutButton.addEventListener("click", () => {
    state.force = !state.force;
    if (state.force) {
      state.moving = true;
      network.once("stabilizationIterationsDone", () => {
        network.setOptions({ physics: { enabled: false } });
        state.moving = false;
      });
      network.setOptions({ physics: { enabled: true } });
      network.stabilize(200);
    } else {
      network.setOptions({ physics: { enabled: false } });
      nodes.update(data.nodes.map((node) => ({ id: node.id, x: node.x, y: node.y })));
      network.fit();
    }
    layoutButton.textContent = state.force ? "Layered layout" : "Force layout";
  });

  document.getElementById("kg-reset").addEventListener("click", () => {
    hiddenRelations.clear();
    hiddenLevels.clear();
    for (const box of document.querySelectorAll(".kg-legend input")) box.checked = true;
    refresh();
    paint(null);
    network.unselectAll();
    network.fit();
  });

  // For tests and benchmarks: the network and what the page shows.
  window.kgView = { network: network, nodes: nodes, edges: edges, nodesView: nodesView, edgesView: edgesView, state: state, find: find, focus: focus };
})();
