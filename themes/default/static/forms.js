/* snapsite default theme: the Schedules page's forms (schedules.html). Needs format.js,
 * app.js and requests.js.
 *
 * The console's actions, carried across the air gap: nothing here reaches a server. The manual run form writes a
 * run request (run-request-<id>.json) and the script that checks and submits it (submit-<id>.sh); preview impact
 * counts the images a run would touch from the snapshot's impact index (data/impact.js) and writes keys.json for
 * `stella runs preview`; pausing a schedule asks for confirmation, then shows the command and the earliest run
 * after a resume.
 */
(() => {
  "use strict";

  const Snapsite = (globalThis.Snapsite = globalThis.Snapsite || /** @type {SnapsiteNamespace} */ ({}));
  const { isoSeconds, humanTime, parseTime, canonicalJson, utf8, sha256Hex, runbookName, shQuote } = Snapsite.format;
  const { h, clear, append, closest, loadScript, store, download, fileText, makeDialog, openDialog, closeDialog } = Snapsite.app;
  const requests = Snapsite.requests;
  const doc = document;
  const REQUEST_SCHEMA = "stellaops.run-request@1";
  const IMPACT_ROWS_SHOWN = 200;
  /** @type {import("./runs-data.js").Meta | null} */
  let meta = null;

  function snapshotId() {
    return meta && typeof meta.snapshotId === "string" ? meta.snapshotId : doc.body.getAttribute("data-snapshot-id") || "";
  }

  /**
   * Choose the remembered value in `select`, if it is still an option.
   * @param {HTMLSelectElement} select
   * @param {string} key
   */
  function restore(select, key) {
    const remembered = store.get(key);
    if (select && remembered && Array.from(select.options).some((o) => o.value === remembered)) {
      select.value = remembered;
    }
  }

  /* --- manual run ---------------------------------------------------------------------------------------- */

  function initManualRun() {
    const form = doc.getElementById("manual-run-form");
    const button = doc.getElementById("manual-run-generate");
    if (!form || !button) {
      return;
    }
    const tenant = /** @type {HTMLSelectElement} */ (form.querySelector("#manual-run-tenant"));
    const mode = /** @type {HTMLSelectElement} */ (form.querySelector("#manual-run-mode"));
    const kind = /** @type {HTMLSelectElement} */ (form.querySelector("#manual-run-scope-kind"));
    const scope = /** @type {HTMLTextAreaElement} */ (form.querySelector("#manual-run-scope"));
    const policy = /** @type {HTMLInputElement} */ (form.querySelector("#manual-run-policy"));
    const result = /** @type {HTMLElement} */ (doc.getElementById("manual-run-result"));
    restore(tenant, "manual-run:tenant");
    restore(mode, "manual-run:mode");
    button.hidden = false;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      generate();
    });
    button.addEventListener("click", generate);

    function generate() {
      const values = requests.lines(scope.value);
      const problems = requests.scopeProblems(kind.value, values);
      clear(result);
      if (problems.length) {
        scope.setAttribute("aria-invalid", "true");
        result.appendChild(h("div", { class: "alert", role: "alert", "data-testid": "manual-run-errors" }, [
          h("p", null, h("strong", null, "The request was not made:")),
          h("ul", null, problems.map((p) => h("li", null, p)))
        ]));
        scope.focus();
        return;
      }
      scope.removeAttribute("aria-invalid");
      store.set("manual-run:tenant", tenant.value);
      store.set("manual-run:mode", mode.value);
      const request = {
        schemaVersion: REQUEST_SCHEMA,
        snapshotId: snapshotId(),
        tenantId: tenant.value,
        mode: mode.value,
        scope: { kind: kind.value, values },
        policySnapshot: policy.value.trim() || null,
        requestedAt: isoSeconds(Date.now())
      };
      // The canonical request (sorted keys, no insignificant whitespace, one final newline) is the file itself:
      // its sha256 names it and the submit script checks it.
      const body = `${canonicalJson(request)}\n`;
      const bytes = utf8(body);
      const digest = sha256Hex(bytes);
      const id = digest.slice(0, 12);
      const requestName = `run-request-${id}.json`;
      const scriptName = `submit-${id}.sh`;
      const script = requests.submitScript(digest, requestName, snapshotId());
      download(requestName, bytes, "application/json");
      download(scriptName, script, "text/x-shellscript;charset=utf-8");
      const again = h("p", null, [
        h("button", { type: "button", "data-file": requestName }, `Download ${requestName}`),
        " ",
        h("button", { type: "button", "data-file": scriptName }, `Download ${scriptName}`)
      ]);
      again.addEventListener("click", (event) => {
        const which = closest(event.target, "button[data-file]");
        if (which) {
          const name = which.getAttribute("data-file");
          if (name === requestName) {
            download(requestName, bytes, "application/json");
          } else {
            download(scriptName, script, "text/x-shellscript;charset=utf-8");
          }
        }
      });
      append(result, [
        h("div", { class: "note", role: "status", "data-request-id": id }, [
          h("p", null, ["Request ", h("code", null, id), " is ready: ", h("code", null, requestName), " and ", h("code", null, scriptName), "."]),
          h("p", null, ["sha256 ", h("code", { class: "hash" }, digest)])
        ]),
        again,
        h("p", null, "Take both files to a machine that reaches the Scheduler, keep them in one folder, and run:"),
        h("div", { class: "command" }, [h("pre", null, h("code", null, `sh ${scriptName}`)), h("button", { type: "button", class: "copy", "data-copy": `sh ${scriptName}` }, "Copy")])
      ]);
      fileText(result, requestName, body);
      fileText(result, scriptName, script);
    }
  }

  /* --- preview impact ------------------------------------------------------------------------------------- */

  let impact = null; // the rows of data/impact.js once loaded, false when it could not be

  function withImpact(done) {
    if (impact !== null) {
      done(impact);
      return;
    }
    loadScript("data/impact.js", (ok) => {
      impact = ok && Array.isArray(window.snapsiteImpact) ? window.snapsiteImpact : false;
      done(impact);
    });
  }

  function initPreview() {
    const sectionFound = doc.getElementById("preview-impact");
    const form = doc.getElementById("preview-impact-form");
    const outputFound = doc.getElementById("preview-impact-result");
    if (!sectionFound || !form || !outputFound) {
      return;
    }
    const sectionEl = sectionFound;
    const output = outputFound;
    const tenant = /** @type {HTMLSelectElement} */ (form.querySelector("#preview-tenant"));
    const keysBox = /** @type {HTMLTextAreaElement} */ (form.querySelector("#preview-keys"));
    restore(tenant, "preview:tenant");
    form.hidden = false;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      preview();
    });
    form.addEventListener("click", (event) => {
      const button = closest(event.target, "button[data-action]");
      if (!button) {
        return;
      }
      if (button.getAttribute("data-action") === "preview") {
        preview();
      } else if (button.getAttribute("data-action") === "keys") {
        const keys = requests.keysOf(keysBox.value);
        const body = requests.keysJson(tenant.value, keys);
        download("keys.json", body, "application/json");
        fileText(output, "keys.json", body);
      }
    });

    function ageNotes() {
      const age = sectionEl.getAttribute("data-impact-age");
      const notes = [h("p", null, age ? `The impact index was ${age} old when the snapshot was taken.` : "The snapshot does not say when its impact index was built.")];
      if (sectionEl.getAttribute("data-impact-stale") === "true") {
        notes.push(h("div", { class: "alert alert-warning", role: "alert", "data-error-code": "ERR_RUN_009" }, h("p", null, [
          h("strong", null, "Impact index stale."),
          " The count may miss images, and a targeted run may fail with ",
          h("a", { href: `runbooks/${runbookName("ERR_RUN_009")}.html` }, "ERR_RUN_009"),
          "."
        ])));
      }
      return notes;
    }

    function preview() {
      const keys = requests.keysOf(keysBox.value);
      const chosen = tenant.value;
      store.set("preview:tenant", chosen);
      if (!keys.purls.length && !keys.vulnerabilityIds.length) {
        clear(output).appendChild(h("p", { role: "alert" }, "Give at least one package URL or vulnerability ID, one per line."));
        keysBox.focus();
        return;
      }
      clear(output).appendChild(h("p", { class: "muted", role: "status" }, "Reading the impact index\u2026"));
      withImpact((rows) => {
        clear(output);
        const command = `stella runs preview ${shQuote(`--tenant=${chosen}`)} --file keys.json`; // an id inside its option
        if (rows === false) {
          append(output, [h("p", { role: "alert" }, "This site has no impact index (data/impact.js): only the CLI can preview."), cliLine(command)]);
          return;
        }
        const found = requests.impacted(rows, chosen, keys);
        const images = found.images;
        append(output, [
          h("p", { class: "impact-summary", role: "status" }, [
            h("strong", { "data-testid": "impact-count", class: "num" }, String(images.length)),
            ` of ${found.indexed} indexed image${found.indexed === 1 ? "" : "s"} of tenant ${chosen} ${
              images.length === 1 ? "is" : "are"  } impacted by ${  keys.purls.length + keys.vulnerabilityIds.length  } key${ 
              keys.purls.length + keys.vulnerabilityIds.length === 1 ? "" : "s"}.`
          ])
        ].concat(ageNotes()));
        if (images.length) {
          const shown = images.slice(0, IMPACT_ROWS_SHOWN);
          output.appendChild(h("div", { class: "table-wrap", tabindex: "0" }, h("table", { class: "impact" }, [
            h("caption", null, `Impacted images${images.length > shown.length ? `: the first ${shown.length} of ${images.length}` : ""}`),
            h("thead", null, h("tr", null, ["Repository", "Image", "Tags", "Matched keys"].map((label) => h("th", { scope: "col" }, label)))),
            h("tbody", null, shown.map((image) => h("tr", { "data-image-digest": image.digest }, [
                h("th", { scope: "row" }, image.repository),
                h("td", null, h("code", { class: "hash" }, image.digest)),
                h("td", null, image.tags.join(", ") || "\u2014"),
                h("td", null, image.matched.join(", "))
              ])))
          ])));
        }
        output.appendChild(h("p", null, "Check the same keys with the CLI on a connected machine (download keys.json first):"));
        output.appendChild(cliLine(command));
        Snapsite.app.revealControls(output);
      });
    }
  }

  function cliLine(line) {
    return h("div", { class: "command" }, [h("pre", null, h("code", null, line)), h("button", { type: "button", class: "copy", "data-copy": line }, "Copy")]);
  }

  /* --- pausing a schedule ------------------------------------------------------------------------------------ */

  function initPause() {
    const table = doc.querySelector("#pause table.pause-commands");
    if (!table) {
      return;
    }
    let dialog = null;
    let message = null;
    let pending = null;

    function earliest(row) {
      const id = row.getAttribute("data-schedule-id");
      const schedules = (meta && meta.schedules) || [];
      for (let s = 0; s < schedules.length; s += 1) {
        if (schedules[s].id === id && schedules[s].earliestAfterResume) {
          return humanTime(parseTime(schedules[s].earliestAfterResume));
        }
      }
      const cell = row.cells[2];
      return cell ? cell.textContent.trim().split("\n")[0] : "";
    }

    function ensureDialog() {
      if (dialog) {
        return;
      }
      dialog = makeDialog("confirm-dialog", "pause-dialog-title");
      message = h("p", { id: "pause-dialog-text" });
      dialog.setAttribute("aria-describedby", "pause-dialog-text");
      const confirm = h("button", { type: "button", class: "primary", "data-confirm": "" }, "Show the pause command");
      const cancel = h("button", { type: "button", "data-autofocus": "" }, "Cancel");
      append(dialog, [h("h2", { id: "pause-dialog-title" }, "Pause this schedule on the Scheduler?"), message, h("p", { class: "dialog-buttons" }, [confirm, " ", cancel])]);
      cancel.addEventListener("click", () => {
        pending = null;
        closeDialog(dialog);
      });
      confirm.addEventListener("click", () => {
        const row = pending;
        pending = null;
        closeDialog(dialog);
        if (row) {
          confirmed(row);
        }
      });
    }

    function confirmed(row) {
      const box = row.querySelector(".command");
      const ask = row.querySelector("button[data-pause]");
      if (box) {
        box.hidden = false;
      }
      if (ask) {
        ask.hidden = true;
      }
      const when = earliest(row);
      const note = h("p", { class: "pause-result", role: "status" }, [
        "Nothing is paused yet. Copy this command, take it to a machine that reaches the Scheduler and run it there " +
          "(it needs runs.manage); the schedule keeps running until you do. ",
        when ? `Earliest run after a resume: ${when}.` : "This schedule has no next run to resume to."
      ]);
      box.parentNode.appendChild(note);
      const copy = box.querySelector("button.copy");
      if (copy) {
        copy.hidden = false;
        copy.focus();
      }
    }

    Array.prototype.forEach.call(table.querySelectorAll("tbody tr[data-schedule-id]"), (row) => {
      const box = row.querySelector(".command");
      if (!box) {
        return;
      }
      const name = row.cells[0] ? row.cells[0].firstChild.textContent.trim() : row.getAttribute("data-schedule-id");
      const ask = h("button", { type: "button", "data-pause": "", "aria-haspopup": "dialog" }, "Pause\u2026");
      ask.setAttribute("aria-label", `Pause ${name}`);
      box.hidden = true;
      box.parentNode.insertBefore(ask, box);
      ask.addEventListener("click", () => {
        ensureDialog();
        pending = row;
        const when = earliest(row);
        message.textContent =
          `Pausing ${name} stops its runs until someone resumes it. ${
            when ? `If it were resumed at the snapshot's time, its earliest run would be ${when}. ` : ""
          }This offline site cannot pause anything: it gives you the command, which you run on a machine that ` +
          "reaches the Scheduler.";
        openDialog(dialog, ask);
      });
    });
  }

  /* --- start ---------------------------------------------------------------------------------------------- */

  function start() {
    initManualRun();
    initPreview();
    initPause();
  }

  if (doc.getElementById("manual-run-form") || doc.getElementById("preview-impact") || doc.getElementById("pause")) {
    loadScript("data/meta.js", (ok) => {
      meta = ok && window.snapsiteMeta ? window.snapsiteMeta : null;
      start();
    });
  }
})();
