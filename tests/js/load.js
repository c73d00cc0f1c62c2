// Loads the theme's pure classic scripts into Node in the order the templates list them, the way a browser
// would: each one adds its member to globalThis.Snapsite (and hands it to module.exports too).
"use strict";

const path = require("node:path");

const STATIC = path.join(__dirname, "..", "..", "themes", "default", "static");
const PURE = ["format", "url-state", "filter-bar", "runs-data", "filters", "selection", "requests"];

for (const name of PURE) {
  require(path.join(STATIC, `${name}.js`));
}

module.exports = globalThis.Snapsite;
