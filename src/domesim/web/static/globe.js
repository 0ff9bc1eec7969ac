// The globe page: a run's headline numbers (summary.json) beside its scene (CZML) on a CesiumJS globe.
// Query parameters: czml (default scene.czml) and summary (default summary.json), URLs on this page's
// own origin. Nothing is fetched from outside this origin: no Cesium ion, no Bing, no CDN, no font.
// Every string from the JSON goes into the page as textContent, never as HTML.
"use strict";

const params = new URLSearchParams(window.location.search);

// A URL from the query string, resolved against the page; null if it leaves this origin (a crafted link
// must not make the page fetch, or show, someone else's file).
function sameOriginUrl(name, fallback) {
  const url = new URL(params.get(name) || fallback, window.location.href);
  return url.origin === window.location.origin ? url.href : null;
}

function byId(id) {
  return document.getElementById(id);
}

function problem(element, text) {
  element.textContent = text;
  element.classList.add("problem");
}

function isNumber(x) {
  return typeof x === "number" && Number.isFinite(x);
}

// Three significant figures, as the report writes them; a dash for a missing value.
function fmt(x) {
  if (!isNumber(x)) return "—";
  if (x === 0) return "0";
  return Math.abs(x) >= 100 ? Math.round(x).toLocaleString("en") : String(Number(x.toPrecision(3)));
}

function words(key) {
  return String(key).replace(/_/g, " ");
}

// A two-column table body from an object {label: value}, largest values first.
function fillTable(tableId, sectionId, values) {
  const entries = Object.entries(values || {}).sort((a, b) => (b[1] || 0) - (a[1] || 0));
  const body = byId(tableId).tBodies[0];
  body.replaceChildren();
  for (const [key, value] of entries) {
    const row = body.insertRow();
    row.insertCell().textContent = words(key);
    const cell = row.insertCell();
    cell.textContent = fmt(value);
    cell.className = "num";
  }
  byId(sectionId).hidden = entries.length === 0;
}

function showSummary(s) {
  byId("scenario").textContent = String(s.scenario ?? "—");
  byId("trials").textContent = `${fmt(s.trials)} (seed ${String(s.seed ?? "—")})`;
  const p = s.p_no_leak || {};
  const ci = Array.isArray(p.ci95) ? p.ci95 : [];
  byId("p-no-leak").textContent = isNumber(p.mean)
    ? `${p.mean.toFixed(3)} (95 % interval ${isNumber(ci[0]) ? ci[0].toFixed(3) : "—"} – ${isNumber(ci[1]) ? ci[1].toFixed(3) : "—"})`
    : "—";
  byId("leakers").textContent = `${fmt(s.expected_leakers)} of ${fmt(s.threat_objects)} threat objects per trial`;
  byId("headline").hidden = false;
  fillTable("kills", "kills-section", s.kills_by_layer);
  fillTable("causes", "causes-section", s.leak_causes);
  byId("summary-status").textContent = "";
}

async function loadSummary() {
  const status = byId("summary-status");
  const url = sameOriginUrl("summary", "summary.json");
  if (url === null) return problem(status, "The summary URL is not on this server: not loaded.");
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    showSummary(await response.json());
  } catch (error) {
    problem(status, `The run's summary could not be read (${error.message}).`);
  }
}

// Entities on the ground when they first appear (launch points, sites, radars; below 100 km) are
// what the first view frames; satellites and orbit rings would shrink the Earth to a dot.
const FOCUS_MAX_HEIGHT_M = 1.0e5;

function focusOf(source, time) {
  const near = source.entities.values.filter((entity) => {
    const start = entity.availability ? entity.availability.start : time;
    const position = entity.position ? entity.position.getValue(start) : undefined;
    const where = position ? Cesium.Cartographic.fromCartesian(position) : undefined;
    return where !== undefined && where.height < FOCUS_MAX_HEIGHT_M;
  });
  return near.length > 0 ? near : source;
}

async function startGlobe() {
  const status = byId("globe-status");
  const url = sameOriginUrl("czml", "scene.czml");
  if (url === null) return problem(status, "The scene URL is not on this server: not loaded.");
  if (typeof Cesium === "undefined") {
    return problem(status, "CesiumJS did not load: run `make web` in the domesim repository.");
  }
  // No Cesium ion: an empty token makes any ion request fail here instead of using Cesium's demo token.
  Cesium.Ion.defaultAccessToken = "";
  let viewer;
  try {
    viewer = new Cesium.Viewer("globe", {
      // Natural Earth II imagery shipped inside CesiumJS, on the plain ellipsoid: nothing from the network.
      baseLayer: Cesium.ImageryLayer.fromProviderAsync(
        Cesium.TileMapServiceImageryProvider.fromUrl(Cesium.buildModuleUrl("Assets/Textures/NaturalEarthII")),
      ),
      terrainProvider: new Cesium.EllipsoidTerrainProvider(),
      // The widgets that search, pick or fetch layers (and the help that links out) are left out.
      baseLayerPicker: false,
      geocoder: false,
      homeButton: false,
      sceneModePicker: false,
      navigationHelpButton: false,
      projectionPicker: false,
      fullscreenButton: false,
      animation: true,
      timeline: true,
      // Draw a frame only when something changed (the clock playing, the camera moving, tiles arriving):
      // a paused globe then costs nothing.
      requestRenderMode: true,
    });
  } catch (error) {
    document.body.dataset.globe = "failed";
    return problem(status, `The globe cannot be drawn here (${error.message}); the numbers above still hold.`);
  }
  viewer.creditDisplay.addStaticCredit(new Cesium.Credit(`CesiumJS ${Cesium.VERSION} (Apache-2.0)`));
  window.domesimViewer = viewer; // for the browser tests and the frame-rate benchmark
  try {
    const source = await Cesium.CzmlDataSource.load(url);
    await viewer.dataSources.add(source); // its document clock drives the timeline and animation
    await viewer.flyTo(focusOf(source, viewer.clock.currentTime), { duration: 0 });
    document.body.dataset.globe = "ready";
  } catch (error) {
    problem(status, `The scene could not be loaded (${error.message}).`);
    document.body.dataset.globe = "failed";
  }
}

loadSummary();
startGlobe();
