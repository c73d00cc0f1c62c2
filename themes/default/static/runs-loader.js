/* snapsite default theme: loading the workspace's runs data (Snapsite.runsLoader). Needs app.js and runs-data.js.
 *
 * data/meta.js, then data/runs-NNNN.js: classic scripts (file:// forbids fetch) that assign into
 * window.snapsiteMeta and push onto window.snapsiteRuns. index.html starts meta.js and the first runs file early
 * (async, marked data-early); the others follow together and run in order. Each is taken in as soon as it has
 * run, the first one's first rows sooner still, so that the table shows rows while the rest loads.
 */
/** @typedef {import("./runs-data.js").RunStore} RunStoreType */
/**
 * What the workspace does as the data arrives.
 * @typedef {object} LoadHooks
 * @property {(store: RunStoreType) => void} meta  meta.js is read: the (still empty) store
 * @property {() => void} start  the first rows are in: build the table
 * @property {() => void} render  more rows are in: draw again
 * @property {(loaded: number, expected: number) => void} progress
 * @property {(loaded: number) => void} ready  every file is in, none failed
 * @property {(message: string) => void} fail
 */

(() => {
  "use strict";

  const Snapsite = (globalThis.Snapsite = globalThis.Snapsite || /** @type {SnapsiteNamespace} */ ({}));
  const { loadScript } = Snapsite.app;
  const { RunStore } = Snapsite.runsData;
  const doc = document;
  const FIRST_SLICE = 2000;

  /** @typedef {import("./runs-data.js").Meta} Meta */
  /** @typedef {import("./runs-data.js").Changes} Changes */

  /** The globals the data files write (data/changes.js, in a `--since` build, before this script runs). */
  const dataGlobals = /** @type {{ snapsiteMeta?: Meta, snapsiteRuns?: unknown[][][], snapsiteChanges?: Changes }} */ (
    /** @type {unknown} */ (window)
  );

  /**
   * Run `done(ok)` once the data file `file` has run: index.html starts the first ones early (async scripts
   * marked data-early, `ran()` tells whether one already has); any other is loaded now.
   * @param {string} file
   * @param {() => boolean} ran
   * @param {(ok: boolean) => void} done
   */
  function take(file, ran, done) {
    const early = Array.from(doc.querySelectorAll("script[data-early]")).filter(
      (script) => script.getAttribute("src") === file
    ).pop();
    if (!early) {
      loadScript(file, done);
    } else if (ran()) {
      done(true);
    } else if (doc.readyState === "complete") {
      done(false); // the page's load event waits for async scripts: this one failed
    } else {
      let settled = false;
      /** @param {boolean} ok */
      const settle = (ok) => {
        if (!settled) {
          settled = true;
          done(ok);
        }
      };
      early.addEventListener("load", () => settle(true));
      early.addEventListener("error", () => settle(false));
      // Its error may have come before this script ran: the window's load event comes after it in any case.
      window.addEventListener("load", () => settle(ran()));
    }
  }

  /**
   * Load meta.js and the runs files named in `files` into a new RunStore, telling `hooks` as it goes.
   * @param {string[]} files  data/meta.js and data/runs-NNNN.js, as the table's data-run-files lists them
   * @param {LoadHooks} hooks
   */
  function load(files, hooks) {
    const metaFile = files.find((f) => /meta\.js$/.test(f));
    const runFiles = files.filter((f) => f !== metaFile);
    dataGlobals.snapsiteRuns = dataGlobals.snapsiteRuns || [];
    take(metaFile || "data/meta.js", () => !!dataGlobals.snapsiteMeta, (metaOk) => {
      const meta = dataGlobals.snapsiteMeta;
      if (!metaOk || !meta || !Array.isArray(meta.fields)) {
        hooks.fail("The runs data (data/meta.js) could not be loaded: the table shows the static rows only.");
        return;
      }
      /** @type {RunStoreType} */
      let store;
      try {
        store = new RunStore(meta, dataGlobals.snapsiteChanges || null);
      } catch {
        hooks.fail("The runs data is not in a form this page understands: the table shows the static rows only.");
        return;
      }
      hooks.meta(store);
      const progress = {
        /** @type {unknown[][][]} row arrays that have run but are not taken in yet, in order */
        pending: [],
        started: false,
        done: 0,
        broken: false
      };

      /**
       * Take in the data files that have run, in order. `quick` takes only the first rows of the very first
       * file (the rest follow in a moment), so that the first rows are drawn sooner; true when some are left.
       * @param {boolean} quick
       */
      const consumeChunks = (quick) => {
        progress.pending = progress.pending.concat(dataGlobals.snapsiteRuns || []);
        dataGlobals.snapsiteRuns = [];
        const pending = progress.pending;
        if (quick && store.n === 0 && pending.length && pending[0].length > FIRST_SLICE) {
          store.ingest(pending[0].slice(0, FIRST_SLICE));
          pending[0] = pending[0].slice(FIRST_SLICE);
          return true;
        }
        for (const chunk of pending) {
          store.ingest(chunk);
        }
        progress.pending = [];
        return false;
      };
      const start = () => {
        if (!progress.started) {
          hooks.start();
          progress.started = true;
        }
      };
      const finish = () => {
        consumeChunks(false);
        start();
        hooks.render();
        if (!progress.broken) {
          hooks.ready(store.n);
        }
      };
      /**
       * @param {string} file
       * @param {boolean} ok
       */
      const loaded = (file, ok) => {
        if (!ok) {
          progress.broken = true;
          hooks.fail(`A runs data file (${file}) could not be loaded: the table may be incomplete.`);
        }
        const more = consumeChunks(progress.done === 0);
        if (store.n) {
          start();
        }
        progress.done += 1;
        if (progress.done === runFiles.length) {
          finish();
        } else if (progress.started) {
          hooks.render();
          if (!progress.broken) {
            hooks.progress(store.n, meta.runs || 0);
          }
        }
        if (more) {
          window.setTimeout(() => {
            if (progress.pending.length) {
              consumeChunks(false);
              hooks.render();
            }
          }, 0);
        }
      };
      if (!runFiles.length) {
        finish();
        return;
      }
      // The first data file alone (the first rows come from it), then every other at once: the browser reads
      // and parses those in parallel, off the main thread, and runs them in order (async = false).
      take(runFiles[0], () => (dataGlobals.snapsiteRuns || []).length > 0, (ok) => {
        loaded(runFiles[0], ok);
        for (const file of runFiles.slice(1)) {
          loadScript(file, (fileOk) => loaded(file, fileOk));
        }
      });
    });
  }

  const runsLoader = { take, load };
  Snapsite.runsLoader = runsLoader;
  if (typeof module === "object" && module.exports) {
    module.exports = runsLoader;
  }
})();
