// The query page: DuckDB-WASM, vendored into the site, runs SQL over the site's own Parquet
// files of every table and view, loaded at page load. DuckDB-WASM as published on npm has no
// built-in Parquet reader (it fetches the parquet extension from DuckDB's extension server, which
// this page must not reach), so parquet-wasm (also vendored) reads each Parquet file into Arrow
// and DuckDB-WASM loads the Arrow stream as a table of the same name. Nothing leaves the page's
// origin: modules, worker, WebAssembly and data are all files of the site.
//
// Values are shown as `inference-energy query --format csv` prints them (Python's repr of a
// float, ISO dates, empty for NULL), so the CSV download of a result is the CLI's output.
import * as duckdb from "@duckdb/duckdb-wasm";
import initParquet, { readParquet } from "parquet-wasm";

const config = JSON.parse(document.getElementById("query-config").textContent);
const here = (path) => new URL(path, document.baseURI).href;
const $ = (id) => document.getElementById(id);
const SHOWN_ROWS = 1000;
let connection = null;

function status(text, kind = "") {
  const el = $("query-status");
  el.textContent = text;
  el.dataset.kind = kind;
}

async function start() {
  status("Loading DuckDB-WASM…");
  await initParquet(here(config.vendor.parquet));
  const worker = new Worker(here(config.vendor.worker));
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  await db.instantiate(here(config.vendor.wasm));
  await db.open({ query: { castBigIntToDouble: false } });
  connection = await db.connect();
  // No extension may be fetched from the network: the Parquet reader is built in.
  for (const setting of ["autoinstall_known_extensions", "autoload_known_extensions"]) {
    try { await connection.query(`set ${setting} = false`); } catch (e) { /* not in this build */ }
  }
  let loaded = 0;
  await Promise.all(config.files.map(async (file) => {
    const response = await fetch(here(file.url));
    if (!response.ok) throw new Error(`${file.url}: HTTP ${response.status}`);
    const arrow = readParquet(new Uint8Array(await response.arrayBuffer())).intoIPCStream();
    await connection.insertArrowFromIPCStream(arrow, { name: file.name, create: true });
    loaded += 1;
    status(`Loading data… ${loaded} of ${config.files.length} files`);
  }));
  for (const macro of config.macros) {
    try { await connection.query(macro.sql); } catch (e) { console.warn(`macro ${macro.name}: ${e.message}`); }
  }
  status(`Ready: ${config.files.length} tables and views. Write a query and press Run (Ctrl+Enter).`, "ready");
  $("query-run").disabled = false;
  document.body.dataset.queryReady = "true";
}

// ---------------------------------------------------------------------------- values as the CLI prints them

function pythonFloat(x) {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa, exp] = x.toExponential().split("e");  // shortest round-trip digits
  const e = Number(exp);
  if (e < -4 || e >= 16) {
    const sign = e < 0 ? "-" : "+";
    return `${mantissa}e${sign}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  const point = e + 1;
  let text;
  if (point <= 0) text = "0." + "0".repeat(-point) + digits;
  else if (point >= digits.length) text = digits + "0".repeat(point - digits.length) + ".0";
  else text = digits.slice(0, point) + "." + digits.slice(point);
  return (negative ? "-" : "") + text;
}

const pad = (n, w = 2) => String(n).padStart(w, "0");

function isoDate(ms) {
  const d = new Date(Number(ms));
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

function isoTimestamp(ms) {
  const d = new Date(Number(ms));
  return `${isoDate(ms)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

function decimalText(value, scale) {
  let digits = String(value);
  const negative = digits.startsWith("-");
  digits = digits.replace("-", "").padStart(scale + 1, "0");
  const text = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return (negative ? "-" : "") + text;
}

function reprItem(value, type) {
  if (value === null || value === undefined) return "None";
  if (typeof value === "string") return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  return cellText(value, type);
}

function cellText(value, type) {
  if (value === null || value === undefined) return "";
  const T = globalThis.Arrow.Type;
  switch (type.typeId) {
    case T.Float: return pythonFloat(Number(value));
    case T.Bool: return value ? "true" : "false";
    case T.Date: return isoDate(value instanceof Date ? value.getTime() : value);
    case T.Timestamp: return isoTimestamp(value instanceof Date ? value.getTime() : value);
    case T.Decimal: return decimalText(value, type.scale);
    case T.List: {
      const child = type.children[0].type;
      return "[" + [...value].map((v) => reprItem(v, child)).join(", ") + "]";
    }
    default: return String(value);
  }
}

function csvField(text) {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

// ---------------------------------------------------------------------------- running a query

function resultOf(table) {
  const fields = table.schema.fields;
  const columns = fields.map((f) => table.getChild(f.name));
  const rows = [];
  for (let i = 0; i < table.numRows; i++) {
    rows.push(fields.map((f, j) => cellText(columns[j].get(i), f.type)));
  }
  return { names: fields.map((f) => f.name), rows };
}

function showResult({ names, rows }) {
  const out = $("query-result");
  out.replaceChildren();
  const tableEl = document.createElement("table");
  const head = tableEl.createTHead().insertRow();
  for (const name of names) {
    const th = document.createElement("th");
    th.textContent = name;
    head.appendChild(th);
  }
  const body = tableEl.createTBody();
  for (const row of rows.slice(0, SHOWN_ROWS)) {
    const tr = body.insertRow();
    for (const text of row) tr.insertCell().textContent = text;
  }
  out.appendChild(tableEl);
  out.dataset.rows = String(rows.length);
  const csv = [names, ...rows].map((r) => r.map(csvField).join(",")).join("\n") + "\n";
  const link = $("query-csv");
  if (link.href) URL.revokeObjectURL(link.href);
  link.href = URL.createObjectURL(new Blob([csv], { type: "text/csv" }));
  link.hidden = false;
  window.lastQueryCsv = csv;
  const more = rows.length > SHOWN_ROWS ? ` (the first ${SHOWN_ROWS} shown; the CSV has all)` : "";
  status(`${rows.length} row${rows.length === 1 ? "" : "s"}${more}.`, "done");
}

async function run() {
  const sql = $("query-sql").value.trim().replace(/;\s*$/, "");
  if (!connection || !sql) return;
  $("query-run").disabled = true;
  status("Running…");
  try {
    showResult(resultOf(await connection.query(sql)));
  } catch (e) {
    $("query-result").replaceChildren();
    $("query-csv").hidden = true;
    status(e.message, "error");
  } finally {
    $("query-run").disabled = false;
  }
}

$("query-run").addEventListener("click", run);
$("query-sql").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); run(); }
});
for (const button of document.querySelectorAll("button[data-cookbook]")) {
  button.addEventListener("click", () => {
    const entry = config.cookbook.find((c) => c.id === button.dataset.cookbook);
    $("query-sql").value = entry.sql;
    run();
  });
}
start().catch((e) => status(`DuckDB-WASM failed to start: ${e.message}`, "error"));
