/* snapsite default theme: the Schedules page's forms (schedules.html). Needs app.js first.
 *
 * The console's actions, carried across the air gap: nothing here reaches a server. The manual run form writes a
 * run request (run-request-<id>.json) and the script that checks and submits it (submit-<id>.sh); preview impact
 * counts the images a run would touch from the snapshot's impact index (data/impact.js) and writes keys.json for
 * `stella runs preview`; pausing a schedule asks for confirmation, then shows the command and the earliest run
 * after a resume.
 */
(function () {
  "use strict";

  var app = window.snapsiteApp;
  var doc = document;
  if (!app) {
    return;
  }
  var h = app.h;
  var REQUEST_SCHEMA = "stellaops.run-request@1";
  var DIGEST = /^sha256:[0-9a-f]{64}$/;
  var IMPACT_ROWS_SHOWN = 200;
  var meta = null;

  function snapshotId() {
    return meta && typeof meta.snapshotId === "string" ? meta.snapshotId : doc.body.getAttribute("data-snapshot-id") || "";
  }

  /** The distinct non-empty lines of a textarea, in order. */
  function lines(text) {
    var seen = {};
    var out = [];
    text.split(/\r\n|\r|\n/).forEach(function (line) {
      var value = line.trim();
      if (value && !Object.prototype.hasOwnProperty.call(seen, value)) {
        seen[value] = true;
        out.push(value);
      }
    });
    return out;
  }

  function restore(select, key) {
    var remembered = app.store.get(key);
    if (select && remembered && Array.prototype.some.call(select.options, function (o) { return o.value === remembered; })) {
      select.value = remembered;
    }
  }

  /* --- manual run ---------------------------------------------------------------------------------------- */

  function scopeProblems(kind, values) {
    if (!values.length) {
      return ["Give at least one scope value, one per line."];
    }
    var bad = values.filter(function (v) {
      if (kind === "purls") {
        return !/^pkg:[A-Za-z][A-Za-z0-9.+-]*\/\S+$/.test(v);
      }
      if (kind === "image-digests") {
        return !DIGEST.test(v);
      }
      return !/^\S+$/.test(v);
    });
    if (!bad.length) {
      return [];
    }
    var what = { purls: "a package URL (pkg:type/name@version)", "image-digests": "an image digest (sha256: and 64 hex digits)" };
    return bad.slice(0, 5).map(function (v) {
      return "Not " + (what[kind] || "a vulnerability ID") + ": " + v;
    });
  }

  function submitScript(id, digest, requestName) {
    return [
      "#!/bin/sh",
      "# Generated in the browser by snapsite from snapshot " + app.commentSafe(snapshotId()) + ".",
      "# Submits " + requestName + " (keep it beside this script) after checking its sha256.",
      "# Carry both files back across the air gap and run this where the `stella` CLI can reach the Scheduler.",
      "set -eu",
      'cd "$(dirname -- "$0")"',
      "echo '" + digest + "  " + requestName + "' | sha256sum -c -",
      "stella runs submit --bundle " + requestName,
      ""
    ].join("\n");
  }

  function initManualRun() {
    var form = doc.getElementById("manual-run-form");
    var button = doc.getElementById("manual-run-generate");
    if (!form || !button) {
      return;
    }
    var tenant = form.querySelector("#manual-run-tenant");
    var mode = form.querySelector("#manual-run-mode");
    var kind = form.querySelector("#manual-run-scope-kind");
    var scope = form.querySelector("#manual-run-scope");
    var policy = form.querySelector("#manual-run-policy");
    var result = doc.getElementById("manual-run-result");
    restore(tenant, "manual-run:tenant");
    restore(mode, "manual-run:mode");
    button.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      generate();
    });
    button.addEventListener("click", generate);

    function generate() {
      var values = lines(scope.value);
      var problems = scopeProblems(kind.value, values);
      app.clear(result);
      if (problems.length) {
        scope.setAttribute("aria-invalid", "true");
        result.appendChild(h("div", { class: "alert", role: "alert", "data-testid": "manual-run-errors" }, [
          h("p", null, h("strong", null, "The request was not made:")),
          h("ul", null, problems.map(function (p) {
            return h("li", null, p);
          }))
        ]));
        scope.focus();
        return;
      }
      scope.removeAttribute("aria-invalid");
      app.store.set("manual-run:tenant", tenant.value);
      app.store.set("manual-run:mode", mode.value);
      var request = {
        schemaVersion: REQUEST_SCHEMA,
        snapshotId: snapshotId(),
        tenantId: tenant.value,
        mode: mode.value,
        scope: { kind: kind.value, values: values },
        policySnapshot: policy.value.trim() || null,
        requestedAt: app.isoSeconds(Date.now())
      };
      // The canonical request (sorted keys, no insignificant whitespace, one final newline) is the file itself:
      // its sha256 names it and the submit script checks it.
      var body = app.canonicalJson(request) + "\n";
      var bytes = app.utf8(body);
      var digest = app.sha256Hex(bytes);
      var id = digest.slice(0, 12);
      var requestName = "run-request-" + id + ".json";
      var scriptName = "submit-" + id + ".sh";
      var script = submitScript(id, digest, requestName);
      app.download(requestName, bytes, "application/json");
      app.download(scriptName, script, "text/x-shellscript;charset=utf-8");
      var again = h("p", null, [
        h("button", { type: "button", "data-file": requestName }, "Download " + requestName),
        " ",
        h("button", { type: "button", "data-file": scriptName }, "Download " + scriptName)
      ]);
      again.addEventListener("click", function (event) {
        var which = app.closest(event.target, "button[data-file]");
        if (which) {
          var name = which.getAttribute("data-file");
          if (name === requestName) {
            app.download(requestName, bytes, "application/json");
          } else {
            app.download(scriptName, script, "text/x-shellscript;charset=utf-8");
          }
        }
      });
      app.append(result, [
        h("div", { class: "note", role: "status", "data-request-id": id }, [
          h("p", null, ["Request ", h("code", null, id), " is ready: ", h("code", null, requestName), " and ", h("code", null, scriptName), "."]),
          h("p", null, ["sha256 ", h("code", { class: "hash" }, digest)])
        ]),
        again,
        h("p", null, "Take both files to a machine that reaches the Scheduler, keep them in one folder, and run:"),
        h("div", { class: "command" }, [h("pre", null, h("code", null, "sh " + scriptName)), h("button", { type: "button", class: "copy", "data-copy": "sh " + scriptName }, "Copy")])
      ]);
      app.fileText(result, requestName, body);
      app.fileText(result, scriptName, script);
    }
  }

  /* --- preview impact ------------------------------------------------------------------------------------- */

  var impact = null; // the rows of data/impact.js once loaded, false when it could not be

  function withImpact(done) {
    if (impact !== null) {
      done(impact);
      return;
    }
    app.loadScript("data/impact.js", function (ok) {
      impact = ok && Array.isArray(window.snapsiteImpact) ? window.snapsiteImpact : false;
      done(impact);
    });
  }

  /** Keys from the textarea: lines starting pkg: are package URLs, the others vulnerability IDs. */
  function keysOf(text) {
    var keys = { purls: [], vulnerabilityIds: [] };
    lines(text).forEach(function (line) {
      if (/^pkg:/i.test(line)) {
        keys.purls.push(line);
      } else {
        keys.vulnerabilityIds.push(line);
      }
    });
    return keys;
  }

  /** A purl without its qualifiers, subpath and version: what a key without a version matches. */
  function purlBase(purl) {
    var plain = purl.split(/[?#]/)[0];
    var at = plain.lastIndexOf("@");
    return at > plain.lastIndexOf("/") ? plain.slice(0, at) : plain;
  }

  /**
   * The images of `tenant` that one of `keys` touches: a purl key matches a purl of the image exactly, or, when
   * it has no version, any version of that package; a vulnerability ID matches case-insensitively.
   */
  function impacted(rows, tenant, keys) {
    var exact = {};
    var bases = {};
    keys.purls.forEach(function (purl) {
      var plain = purl.split(/[?#]/)[0];
      if (plain.lastIndexOf("@") > plain.lastIndexOf("/")) {
        exact[purl] = true;
      } else {
        bases[purlBase(purl)] = true;
      }
    });
    var vulns = {};
    keys.vulnerabilityIds.forEach(function (v) {
      vulns[v.toUpperCase()] = true;
    });
    var found = [];
    var indexed = 0;
    rows.forEach(function (row) {
      if (row[0] !== tenant) {
        return;
      }
      indexed += 1;
      var matched = [];
      (row[4] || []).forEach(function (purl) {
        if (exact[purl] || bases[purlBase(purl)]) {
          matched.push(purl);
        }
      });
      (row[5] || []).forEach(function (vuln) {
        if (vulns[String(vuln).toUpperCase()]) {
          matched.push(vuln);
        }
      });
      if (matched.length) {
        found.push({ digest: row[1], repository: row[2], tags: row[3] || [], matched: matched });
      }
    });
    return { images: found, indexed: indexed };
  }

  function keysJson(tenant, keys) {
    return JSON.stringify({ purls: keys.purls, tenantId: tenant, vulnerabilityIds: keys.vulnerabilityIds }, null, 2) + "\n";
  }

  function initPreview() {
    var sectionEl = doc.getElementById("preview-impact");
    var form = doc.getElementById("preview-impact-form");
    var output = doc.getElementById("preview-impact-result");
    if (!sectionEl || !form || !output) {
      return;
    }
    var tenant = form.querySelector("#preview-tenant");
    var keysBox = form.querySelector("#preview-keys");
    restore(tenant, "preview:tenant");
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      preview();
    });
    form.addEventListener("click", function (event) {
      var button = app.closest(event.target, "button[data-action]");
      if (!button) {
        return;
      }
      if (button.getAttribute("data-action") === "preview") {
        preview();
      } else if (button.getAttribute("data-action") === "keys") {
        var keys = keysOf(keysBox.value);
        var body = keysJson(tenant.value, keys);
        app.download("keys.json", body, "application/json");
        app.fileText(output, "keys.json", body);
      }
    });

    function ageNotes() {
      var age = sectionEl.getAttribute("data-impact-age");
      var notes = [h("p", null, age ? "The impact index was " + age + " old when the snapshot was taken." : "The snapshot does not say when its impact index was built.")];
      if (sectionEl.getAttribute("data-impact-stale") === "true") {
        notes.push(h("div", { class: "alert alert-warning", role: "alert", "data-error-code": "ERR_RUN_009" }, h("p", null, [
          h("strong", null, "Impact index stale."),
          " The count may miss images, and a targeted run may fail with ",
          h("a", { href: "runbooks/" + app.runbookName("ERR_RUN_009") + ".html" }, "ERR_RUN_009"),
          "."
        ])));
      }
      return notes;
    }

    function preview() {
      var keys = keysOf(keysBox.value);
      var chosen = tenant.value;
      app.store.set("preview:tenant", chosen);
      if (!keys.purls.length && !keys.vulnerabilityIds.length) {
        app.clear(output).appendChild(h("p", { role: "alert" }, "Give at least one package URL or vulnerability ID, one per line."));
        keysBox.focus();
        return;
      }
      app.clear(output).appendChild(h("p", { class: "muted", role: "status" }, "Reading the impact index\u2026"));
      withImpact(function (rows) {
        app.clear(output);
        var command = "stella runs preview --tenant " + app.shQuote(chosen) + " --file keys.json";
        if (rows === false) {
          app.append(output, [h("p", { role: "alert" }, "This site has no impact index (data/impact.js): only the CLI can preview."), cliLine(command)]);
          return;
        }
        var found = impacted(rows, chosen, keys);
        var images = found.images;
        app.append(output, [
          h("p", { class: "impact-summary", role: "status" }, [
            h("strong", { "data-testid": "impact-count", class: "num" }, String(images.length)),
            " of " + found.indexed + " indexed image" + (found.indexed === 1 ? "" : "s") + " of tenant " + chosen + " " +
              (images.length === 1 ? "is" : "are") + " impacted by " + (keys.purls.length + keys.vulnerabilityIds.length) + " key" +
              (keys.purls.length + keys.vulnerabilityIds.length === 1 ? "" : "s") + "."
          ])
        ].concat(ageNotes()));
        if (images.length) {
          var shown = images.slice(0, IMPACT_ROWS_SHOWN);
          output.appendChild(h("div", { class: "table-wrap", tabindex: "0" }, h("table", { class: "impact" }, [
            h("caption", null, "Impacted images" + (images.length > shown.length ? ": the first " + shown.length + " of " + images.length : "")),
            h("thead", null, h("tr", null, ["Repository", "Image", "Tags", "Matched keys"].map(function (label) {
              return h("th", { scope: "col" }, label);
            }))),
            h("tbody", null, shown.map(function (image) {
              return h("tr", { "data-image-digest": image.digest }, [
                h("th", { scope: "row" }, image.repository),
                h("td", null, h("code", { class: "hash" }, image.digest)),
                h("td", null, image.tags.join(", ") || "\u2014"),
                h("td", null, image.matched.join(", "))
              ]);
            }))
          ])));
        }
        output.appendChild(h("p", null, "Check the same keys with the CLI on a connected machine (download keys.json first):"));
        output.appendChild(cliLine(command));
        app.revealControls(output);
      });
    }
  }

  function cliLine(line) {
    return h("div", { class: "command" }, [h("pre", null, h("code", null, line)), h("button", { type: "button", class: "copy", "data-copy": line }, "Copy")]);
  }

  /* --- pausing a schedule ------------------------------------------------------------------------------------ */

  function initPause() {
    var table = doc.querySelector("#pause table.pause-commands");
    if (!table) {
      return;
    }
    var dialog = null;
    var message = null;
    var pending = null;

    function earliest(row) {
      var id = row.getAttribute("data-schedule-id");
      var schedules = (meta && meta.schedules) || [];
      for (var s = 0; s < schedules.length; s += 1) {
        if (schedules[s].id === id && schedules[s].earliestAfterResume) {
          return app.humanTime(app.parseTime(schedules[s].earliestAfterResume));
        }
      }
      var cell = row.cells[2];
      return cell ? cell.textContent.trim().split("\n")[0] : "";
    }

    function ensureDialog() {
      if (dialog) {
        return;
      }
      dialog = app.makeDialog("confirm-dialog", "pause-dialog-title");
      message = h("p", { id: "pause-dialog-text" });
      dialog.setAttribute("aria-describedby", "pause-dialog-text");
      var confirm = h("button", { type: "button", class: "primary", "data-confirm": "" }, "Pause it");
      var cancel = h("button", { type: "button", "data-autofocus": "" }, "Cancel");
      app.append(dialog, [h("h2", { id: "pause-dialog-title" }, "Pause this schedule?"), message, h("p", { class: "dialog-buttons" }, [confirm, " ", cancel])]);
      cancel.addEventListener("click", function () {
        pending = null;
        app.closeDialog(dialog);
      });
      confirm.addEventListener("click", function () {
        var row = pending;
        pending = null;
        app.closeDialog(dialog);
        if (row) {
          confirmed(row);
        }
      });
    }

    function confirmed(row) {
      var box = row.querySelector(".command");
      var ask = row.querySelector("button[data-pause]");
      if (box) {
        box.hidden = false;
      }
      if (ask) {
        ask.hidden = true;
      }
      var when = earliest(row);
      var note = h("p", { class: "pause-result", role: "status" }, [
        "Confirmed: run this command where the Scheduler is reachable. ",
        when ? "Earliest run after a resume: " + when + "." : "This schedule has no next run to resume to."
      ]);
      box.parentNode.appendChild(note);
      var copy = box.querySelector("button.copy");
      if (copy) {
        copy.hidden = false;
        copy.focus();
      }
    }

    Array.prototype.forEach.call(table.querySelectorAll("tbody tr[data-schedule-id]"), function (row) {
      var box = row.querySelector(".command");
      if (!box) {
        return;
      }
      var name = row.cells[0] ? row.cells[0].firstChild.textContent.trim() : row.getAttribute("data-schedule-id");
      var ask = h("button", { type: "button", "data-pause": "", "aria-haspopup": "dialog" }, "Pause\u2026");
      ask.setAttribute("aria-label", "Pause " + name);
      box.hidden = true;
      box.parentNode.insertBefore(ask, box);
      ask.addEventListener("click", function () {
        ensureDialog();
        pending = row;
        var when = earliest(row);
        message.textContent =
          "Pausing " + name + " stops its runs until someone resumes it. " +
          (when ? "If it were resumed at the snapshot's time, its earliest run would be " + when + "." : "") +
          " The site cannot pause it: confirming shows the command to run.";
        app.openDialog(dialog, ask);
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
    app.loadScript("data/meta.js", function (ok) {
      meta = ok && window.snapsiteMeta ? window.snapsiteMeta : null;
      start();
    });
  }
})();
