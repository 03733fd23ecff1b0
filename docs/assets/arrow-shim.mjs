// DuckDB-WASM's browser module imports "apache-arrow" by name; the query page loads Arrow's
// single-file build (Arrow.es2015.min.js, vendored from node_modules) as a classic script,
// which sets globalThis.Arrow, and the page's import map points "apache-arrow" here.
const Arrow = globalThis.Arrow;
export const { Type, RecordBatchReader, Table, tableToIPC, tableFromIPC, DataType } = Arrow;
export default Arrow;
