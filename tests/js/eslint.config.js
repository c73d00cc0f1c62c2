// ESLint's flat config for the theme's classic scripts and these tests. Run from the repository root
// (`tests/js/node_modules/.bin/eslint -c tests/js/eslint.config.js themes/default/static tests/js`): ESLint 9
// ignores files outside the base path, which is the working directory when the config is named with -c.
"use strict";

const js = require("@eslint/js");
const globals = require("globals");

// The habits of the modern syntax the scripts were moved to, checked so that they stay.
const modern = {
  "no-var": "error",
  "prefer-const": "error",
  "prefer-arrow-callback": "error",
  "prefer-template": "error",
  "object-shorthand": "error",
  "arrow-body-style": ["error", "as-needed"],
  eqeqeq: ["error", "always"],
  "no-implicit-globals": "error",
  "no-unused-vars": ["error", { caughtErrors: "none" }]
};

module.exports = [
  { ignores: ["**/node_modules/**"] },
  {
    files: ["themes/default/static/*.js"],
    ...js.configs.recommended,
    languageOptions: {
      ecmaVersion: 2022,
      // Classic scripts: Chromium refuses ES modules on file://. Each registers into the one global, Snapsite, and
      // also sets module.exports when Node loads it for the unit tests.
      sourceType: "script",
      globals: { ...globals.browser, Snapsite: "readonly", module: "readonly" }
    },
    rules: { ...js.configs.recommended.rules, ...modern }
  },
  {
    files: ["tests/js/**/*.js"],
    ...js.configs.recommended,
    languageOptions: { ecmaVersion: 2022, sourceType: "commonjs", globals: { ...globals.node } },
    rules: { ...js.configs.recommended.rules, ...modern }
  }
];
