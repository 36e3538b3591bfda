// The query page of `kg serve`: lists the query library, runs a query through api/run and
// draws its answer. Every text from the server (questions, results: untrusted strings)
// reaches the page through textContent or an input's value, never as HTML.
"use strict";
(function () {
  const library = document.getElementById("kg-library");
  const form = document.getElementById("kg-form");
  const chosenLine = document.getElementById("kg-chosen");
  const params = document.getElementById("kg-params");
  const editor = document.getElementById("kg-query");
  const status = document.getElementById("kg-status");
  const errorBox = document.getElementById("kg-error");
  const table = document.getElementById("kg-table");
  const triples = document.getElementById("kg-triples");
  const graphPanel = document.getElementById("kg-graph-panel");
  const graphTitle = document.getElementById("kg-graph-title");
  const graphFrame = document.getElementById("kg-graph");
  const state = { chosen: null }; // the library query chosen, or null for free SPARQL

  function element(tag, text, className) {
    const made = document.createElement(tag);
    if (text !== undefined) made.textContent = text;
    if (className) made.className = className;
    return made;
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
  }

  function choose(query, button) {
    state.chosen = query;
    for (const other of library.querySelectorAll("button")) other.setAttribute("aria-pressed", String(other === button));
    chosenLine.textContent = query ? query.name + ": " + query.question : "Free SPARQL query";
    params.replaceChildren();
    if (query) {
      editor.value = query.text;
      for (const parameter of query.parameters) {
        const id = "kg-param-" + parameter.name;
        const label = element("label", parameter.name + " (" + parameter.kind + (parameter.optional ? ", optional" : "") + ") " + parameter.help);
        label.htmlFor = id;
        const input = element("input");
        input.id = id;
        input.name = parameter.name;
        input.required = !parameter.optional;
        input.autocomplete = "off";
        params.append(label, input);
      }
    }
  }

  function listLibrary(queries) {
    for (const query of queries) {
      const button = element("button");
      button.type = "button";
      button.dataset.name = query.name;
      button.setAttribute("aria-pressed", "false");
      button.append(element("span", query.name, "kg-name"), element("span", query.question, "kg-question"));
      button.addEventListener("click", () => choose(query, button));
      const item = element("li");
      item.append(button);
      library.append(item);
    }
  }

  function showGraph(iri) {
    graphTitle.textContent = iri;
    graphFrame.src = "view?doc=" + encodeURIComponent(iri);
    graphPanel.hidden = false;
  }

  function cell(value, documents) {
    const td = element("td");
    if (!value) return td;
    if (value.type === "uri" && documents.has(value.value)) {
      const button = element("button", value.value, "kg-doc");
      button.type = "button";
      button.title = "Show this document's graph";
      button.addEventListener("click", () => showGraph(value.value));
      td.append(button);
    } else if (value.type === "uri") {
      td.append(element("span", value.value, "kg-iri"));
    } else {
      td.textContent = value.type === "bnode" ? "_:" + value.value : value.value;
    }
    return td;
  }

  function showAnswer(answer) {
    table.replaceChildren();
    triples.hidden = true;
    let summary;
    if ("triples" in answer) {
      triples.textContent = answer.triples;
      triples.hidden = false;
      summary = "triples";
    } else if ("boolean" in answer) {
      summary = "answer: " + (answer.boolean ? "yes (true)" : "no (false)");
    } else {
      const documents = new Set(answer.documents || []);
      const head = element("tr");
      for (const name of answer.head.vars) head.append(element("th", name));
      table.append(head);
      for (const binding of answer.results.bindings) {
        const row = element("tr");
        for (const name of answer.head.vars) row.append(cell(binding[name], documents));
        table.append(row);
      }
      const count = answer.results.bindings.length;
      summary = count + (count === 1 ? " row" : " rows");
    }
    if (answer.truncated) {
      status.textContent = summary + ": only the first " + answer.limit + " are shown (kg serve --limit)";
      status.className = "kg-warning";
    } else {
      status.textContent = summary;
      status.className = "";
    }
  }

  async function runQuery(event) {
    event.preventDefault();
    showError("");
    status.textContent = "running…";
    status.className = "";
    const body = new URLSearchParams();
    body.set("query", editor.value);
    if (state.chosen) {
      body.set("name", state.chosen.name);
      for (const input of params.querySelectorAll("input")) if (input.value) body.set("param." + input.name, input.value);
    }
    try {
      const response = await fetch("api/run", { method: "POST", body: body });
      if (!response.ok) {
        status.textContent = "";
        showError(await response.text());
        return;
      }
      showAnswer(await response.json());
    } catch (error) {
      status.textContent = "";
      showError(String(error));
    }
  }

  form.addEventListener("submit", runQuery);
  document.getElementById("kg-free").addEventListener("click", () => choose(null, null));
  fetch("api/queries")
    .then((response) => (response.ok ? response.json() : response.text().then((text) => Promise.reject(new Error(text)))))
    .then((queries) => {
      listLibrary(queries);
      document.body.dataset.ready = "true";
    })
    .catch((error) => showError(String(error)));
})();
