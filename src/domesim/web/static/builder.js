// domesim builder: the form of a base scenario, runs in the background, results and the plot of the visit.
// No libraries: plain DOM and an inline SVG.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { form: null, points: [], run: null, polling: null, limits: { max_trials: 2000 } };

class ApiError extends Error {
  constructor(status, detail) {
    super(typeof detail === "object" && detail ? detail.message : String(detail));
    this.status = status;
    this.problems = (detail && detail.problems) || [];
  }
}

async function api(method, url, body) {
  const init = { method, headers: {}, credentials: "same-origin" };
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, data.detail || response.statusText);
  return data;
}

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function showError(error) {
  const box = $("errors");
  if (!error) { box.hidden = true; box.textContent = ""; return; }
  let text = `${error.status ? error.status + ": " : ""}${error.message}`;
  for (const p of error.problems || []) text += `\n- ${p.key ? "[" + p.key + "] " : ""}${p.message}`;
  box.textContent = text;
  box.hidden = false;
}

function renderForm(form) {
  state.form = form;
  $("description").textContent = form.description || "";
  const root = $("form");
  root.replaceChildren();
  root.dataset.base = form.base;
  for (const group of form.groups) {
    const controls = form.controls.filter((c) => c.group === group.id);
    if (!controls.length) continue;
    const fs = el("fieldset");
    fs.append(el("legend", {}, group.title));
    controls.forEach((c, i) => {
      const row = el("div", { class: "control" });
      const id = `c-${group.id}-${i}`;
      const input = el("input", { id, "data-key": c.key, "data-kind": c.kind });
      if (c.kind === "int") {
        Object.assign(input, { type: "number", min: c.min, max: c.max, step: 1, value: c.value });
      } else {
        input.type = "checkbox";
        input.checked = c.value;
      }
      if (c.note) input.title = c.note;
      input.addEventListener("input", () => row.classList.toggle("changed", changed(c, input)));
      row.append(el("label", { for: id }, c.label), input);
      fs.append(row);
    });
    root.append(fs);
  }
}

function changed(control, input) {
  return control.kind === "int" ? Number(input.value) !== control.value : input.checked !== control.value;
}

function values() {
  const out = {};
  for (const c of state.form.controls) {
    const input = document.querySelector(`#form input[data-key="${CSS.escape(c.key)}"]`);
    if (!input || !changed(c, input)) continue;
    out[c.key] = c.kind === "int" ? Number(input.value) : input.checked;
  }
  return out;
}

async function loadBase(base) {
  showError(null);
  try {
    renderForm(await api("GET", `/api/scenarios/${encodeURIComponent(base)}/form`));
  } catch (e) { showError(e); }
}

async function init() {
  try { state.limits = await api("GET", "/api/limits"); } catch (e) { /* defaults */ }
  $("trials").max = state.limits.max_trials;
  const { examples, note } = await api("GET", "/api/examples");
  const select = $("base");
  for (const ex of examples) select.append(el("option", { value: ex.base }, ex.name));
  if (note) { $("examples-note").textContent = note; $("examples-note").hidden = false; }
  if (examples.length) {
    const preferred = examples.find((e) => e.base === "example:nk-10-space") || examples[0];
    select.value = preferred.base;
    await loadBase(select.value);
  }
  select.addEventListener("change", () => loadBase(select.value));
  $("upload").addEventListener("change", upload);
  $("run").addEventListener("click", startRun);
  $("cancel").addEventListener("click", cancelRun);
  $("share").addEventListener("click", shareRun);
  drawPlot();
}

async function upload(event) {
  const file = event.target.files[0];
  if (!file) return;
  showError(null);
  try {
    const form = await api("POST", "/api/uploads", { toml: await file.text() });
    const option = el("option", { value: form.base }, `Uploaded: ${form.name}`);
    $("base").append(option);
    $("base").value = form.base;
    renderForm(form);
  } catch (e) { showError(e); }
  event.target.value = "";
}

async function startRun() {
  if (!state.form) return;
  showError(null);
  const body = {
    base: state.form.base,
    values: values(),
    trials: Number($("trials").value),
    seed: Number($("seed").value),
  };
  $("run").disabled = true;
  try {
    const started = await api("POST", "/api/runs", body);
    state.run = { id: started.id, values: body.values, name: state.form.name, startedAt: performance.now() };
    $("progress-box").hidden = false;
    $("cancel").hidden = false;
    setProgress(0, body.trials);
    poll();
  } catch (e) {
    showError(e);
    $("run").disabled = false;
  }
}

function setProgress(done, total) {
  $("progress").value = total ? done / total : 0;
  $("progress-text").textContent = `${done} / ${total} trials`;
}

async function poll() {
  const run = state.run;
  let view;
  try { view = await api("GET", `/api/runs/${run.id}`); } catch (e) { showError(e); finish(); return; }
  setProgress(view.done_trials, view.trials);
  if (view.status === "queued" || view.status === "running") {
    state.polling = setTimeout(poll, 200);
    return;
  }
  finish();
  if (view.status === "done") showResult(view);
  else showError({ message: `run ${view.status}${view.error ? ": " + view.error : ""}` });
}

function finish() {
  $("run").disabled = false;
  $("cancel").hidden = true;
}

async function cancelRun() {
  if (state.run) { try { await api("DELETE", `/api/runs/${state.run.id}`); } catch (e) { showError(e); } }
}

const money = (usd) => (usd >= 1e9 ? `$${(usd / 1e9).toFixed(1)} B` : `$${(usd / 1e6).toFixed(0)} M`);
const pct = (p) => `${(100 * p).toFixed(1)}%`;
const words = (s) => s.replace(/_/g, " ");

function fillTable(id, rows) {
  const body = document.querySelector(`#${id} tbody`);
  body.replaceChildren();
  for (const [k, v] of rows) {
    const tr = el("tr");
    tr.append(el("td", {}, k), el("td", { class: "num" }, v));
    body.append(tr);
  }
}

function showResult(view) {
  const r = view.result;
  const [lo, hi] = r.ci95;
  $("p-no-leak").textContent = pct(r.p_no_leak);
  $("p-ci").textContent = `95% interval ${pct(lo)} to ${pct(hi)}, ${view.trials} trials`;
  $("cost-total").textContent = money(r.cost.total_usd);
  $("cost-note").textContent = `${r.cost.dollar_year} dollars, ${r.cost.horizon_years} years` +
    (r.cost.complete ? "" : " (a lower bound: parts not costed)");
  const causes = Object.entries(r.leak_causes || {}).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
  fillTable("causes", causes.length ? causes.map(([k, v]) => [words(k), v.toFixed(3)]) : [["no leakers", ""]]);
  const layers = Object.entries(r.cost.by_layer).sort((a, b) => b[1] - a[1]);
  fillTable("layers", layers.map(([k, v]) => [words(k), money(v)]));
  const changes = Object.entries(state.run.values).map(([k, v]) => `${k} = ${v}`).join("; ");
  state.points.push({ cost: r.cost.total_usd, p: r.p_no_leak, lo, hi, label: `${state.run.name}${changes ? ": " + changes : ""}` });
  drawPlot();
  const download = $("download");
  download.href = `/api/runs/${view.id}/scenario.toml`;
  download.hidden = false;
  $("share").hidden = false;
  $("share-url").hidden = true;
  const globe = $("globe-box");
  if (view.has_scene) {
    const base = `/api/runs/${view.id}`;
    $("globe").src = `/globe/globe.html?czml=${encodeURIComponent(base + "/scene.czml")}&summary=${encodeURIComponent(base + "/summary.json")}`;
    globe.hidden = false;
  } else {
    globe.hidden = true;
  }
  document.body.dataset.lastResultMs = String(Math.round(performance.now() - state.run.startedAt));
  document.body.dataset.runs = String(state.points.length);
}

async function shareRun() {
  try {
    const { url } = await api("POST", `/api/runs/${state.run.id}/share`);
    $("share-url").value = new URL(url, location.href).href;
    $("share-url").hidden = false;
  } catch (e) { showError(e); }
}

function svg(tag, attrs, text) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function drawPlot() {
  const plot = $("plot");
  plot.replaceChildren();
  const W = 480, H = 300, L = 52, R = 14, T = 14, B = 40;
  const costs = state.points.map((p) => p.cost / 1e9);
  let xmax = Math.max(1, ...costs) * 1.1;
  let xmin = Math.min(...costs, xmax) * 0.9;
  if (!state.points.length) xmin = 0;
  if (xmax - xmin < 1e-6) { xmin = Math.max(0, xmin - 1); xmax += 1; }
  const x = (v) => L + ((v - xmin) / (xmax - xmin)) * (W - L - R);
  const y = (p) => T + (1 - p) * (H - T - B);
  plot.append(svg("line", { class: "axis", x1: L, y1: y(0), x2: W - R, y2: y(0) }));
  plot.append(svg("line", { class: "axis", x1: L, y1: y(0), x2: L, y2: y(1) }));
  for (let i = 0; i <= 4; i++) {
    const p = i / 4;
    plot.append(svg("text", { x: L - 6, y: y(p) + 3, "text-anchor": "end" }, p.toFixed(2)));
    const v = xmin + (i / 4) * (xmax - xmin);
    plot.append(svg("text", { x: x(v), y: H - B + 14, "text-anchor": "middle" }, v.toFixed(v < 10 ? 1 : 0)));
  }
  plot.append(svg("text", { x: (L + W - R) / 2, y: H - 6, "text-anchor": "middle" }, "20-year cost (billion USD)"));
  plot.append(svg("text", { x: 12, y: (T + H - B) / 2, transform: `rotate(-90 12 ${(T + H - B) / 2})`, "text-anchor": "middle" }, "P(no leak)"));
  if (!state.points.length) {
    plot.append(svg("text", { x: (L + W) / 2, y: H / 2, "text-anchor": "middle" }, "run a build to add a point"));
    return;
  }
  state.points.forEach((pt, i) => {
    const cx = x(pt.cost / 1e9);
    plot.append(svg("line", { class: "ci-bar", x1: cx, x2: cx, y1: y(pt.lo), y2: y(pt.hi) }));
    const last = i === state.points.length - 1;
    const dot = svg("circle", { class: last ? "point last" : "point", cx, cy: y(pt.p), r: 5 });
    dot.append(svg("title", {}, `${pt.label}\nP(no leak) ${pct(pt.p)}, ${money(pt.cost)}`));
    plot.append(dot);
  });
}

init().catch(showError);
