// The one global the theme's classic scripts register into (themes/default/static/*.js): each script adds one
// member, and its type is that script's export (the object it also hands to Node as module.exports).
interface SnapsiteNamespace {
  format: typeof import("../../themes/default/static/format.js");
  app: typeof import("../../themes/default/static/app.js");
  urlState: typeof import("../../themes/default/static/url-state.js");
  runsData: typeof import("../../themes/default/static/runs-data.js");
  filters: typeof import("../../themes/default/static/filters.js");
  filterBar: typeof import("../../themes/default/static/filter-bar.js");
  evidenceFilter: typeof import("../../themes/default/static/evidence-filter.js");
  selection: typeof import("../../themes/default/static/selection.js");
  runRow: typeof import("../../themes/default/static/run-row.js");
  virtualTable: typeof import("../../themes/default/static/virtual-table.js");
  drawer: typeof import("../../themes/default/static/drawer.js");
  runsLoader: typeof import("../../themes/default/static/runs-loader.js");
  workspace: typeof import("../../themes/default/static/workspace.js");
  printView: typeof import("../../themes/default/static/print-view.js");
  requests: typeof import("../../themes/default/static/requests.js");
}

declare var Snapsite: SnapsiteNamespace;

// What the site's data files (classic scripts in data/) assign.
interface Window {
  snapsiteMeta?: import("../../themes/default/static/runs-data.js").Meta;
  snapsiteRuns?: unknown[][][];
  snapsiteDetail?: Record<string, unknown>;
  snapsiteImpact?: import("../../themes/default/static/requests.js").ImpactRow[];
}
