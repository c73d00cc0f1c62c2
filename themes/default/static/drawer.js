/* snapsite default theme: the run drawer of the workspace (Snapsite.drawer): a modal dialog with one run's
 * Summary, Progress, Segments, Deltas, Evidence, Logs and Actions, read from data/detail-NNNN.js (classic scripts,
 * loaded one at a time, the last few kept). Needs format.js, app.js and
 * run-row.js.
 */
/**
 * The run a drawer shows: what the runs data says of it.
 * @typedef {object} DrawerRun
 * @property {string} id
 * @property {string} slug
 * @property {number} detailFile  the NNNN of data/detail-NNNN.js
 * @property {Record<string, any>} row  its row with the view's snake_case names: the drawer data holds no copy
 * @property {boolean} manage  whether this build may show the commands that change runs
 */
/** @typedef {{ number: number, id: string, done: (detail: any) => void }} DetailJob */

(() => {
  "use strict";

  const Snapsite = (globalThis.Snapsite = globalThis.Snapsite || /** @type {SnapsiteNamespace} */ ({}));
  const { safeClass, duration, pad, visible, safeHref, runbookName } = Snapsite.format;
  const { h, svg, append, clear, loadScript } = Snapsite.app;
  const { stateBadge } = Snapsite.runRow;
  const doc = document;
  /** @typedef {import("./app.js").Children} Children */
  const DETAIL_CACHE_FILES = 4;
  const FINDINGS_SHOWN = 50;

  const state = {
    /** @type {HTMLElement | null} */
    drawer: null,
    /** @type {HTMLElement | null} */
    body: null,
    /** @type {HTMLElement | null} */
    title: null,
    /** @type {HTMLAnchorElement | null} */
    link: null,
    /** @type {{ number: number, runs: Record<string, any> }[]} detail files kept, newest first */
    cache: [],
    /** @type {DetailJob[]} */
    queue: [],
    busy: false
  };

  /** The id of the run whose drawer is open, or "" (none). */
  function openRun() {
    return state.drawer ? state.drawer.getAttribute("data-run-id") || "" : "";
  }

  /** Close the drawer if it is open. */
  function close() {
    if (state.drawer && openRun()) {
      Snapsite.app.closeDialog(state.drawer);
    }
  }

  /**
   * The drawer data of one run, from data/detail-NNNN.js (loaded once, a few files kept).
   * @param {number} number
   * @param {string} id
   * @param {(detail: any) => void} done
   */
  function loadDetail(number, id, done) {
    const cached = state.cache.find((entry) => entry.number === number);
    if (cached) {
      done(cached.runs[id] || null);
      return;
    }
    state.queue.push({ number, id, done });
    pumpDetails();
  }

  function pumpDetails() {
    const job = state.busy ? undefined : state.queue.shift();
    if (!job) {
      return;
    }
    const global = /** @type {{ snapsiteDetail?: Record<string, any> }} */ (/** @type {unknown} */ (window));
    state.busy = true;
    global.snapsiteDetail = {};
    loadScript(`data/detail-${pad(job.number, 4)}.js`, (ok) => {
      const runs = ok && global.snapsiteDetail ? global.snapsiteDetail : {};
      global.snapsiteDetail = {};
      if (ok) {
        state.cache.unshift({ number: job.number, runs });
        state.cache.length = Math.min(state.cache.length, DETAIL_CACHE_FILES);
      }
      state.busy = false;
      job.done(runs[job.id] || null);
      pumpDetails();
    });
  }

  /** The drawer's elements, made the first time. */
  function ensureDrawer() {
    if (state.drawer && state.title && state.link && state.body) {
      return { drawer: state.drawer, title: state.title, link: state.link, body: state.body };
    }
    const drawer = Snapsite.app.makeDialog("drawer", "drawer-title");
    drawer.setAttribute("data-testid", "run-drawer"); // the site contract's hook
    const title = h("h2", { id: "drawer-title", tabindex: "-1" }, "Run");
    const link = h("a", { class: "deep-link" }, "Open the run's own page");
    const close = h("button", { type: "button", class: "drawer-close", "data-autofocus": "" }, "Close");
    close.addEventListener("click", () => Snapsite.app.closeDialog(drawer));
    const body = h("div", { class: "drawer-body" });
    append(drawer, [h("div", { class: "drawer-head" }, [title, h("p", null, [link, " ", close])]), body]);
    Object.assign(state, { drawer, title, link, body });
    return { drawer, title, link, body };
  }

  /**
   * Open the drawer on `run`; focus goes back to `opener` when it closes, or, when the opener has left the page
   * (the table redrew), to what `fallbackFocus()` names. `closed()`, when given, runs once it has closed, however
   * it was closed (the workspace then takes `run` out of the hash).
   * @param {DrawerRun} run
   * @param {HTMLElement | null} opener
   * @param {() => HTMLElement | null} fallbackFocus
   * @param {() => void} [closed]
   */
  function open(run, opener, fallbackFocus, closed) {
    const { drawer, title, link, body } = ensureDrawer();
    const id = run.id;
    drawer.setAttribute("data-drawer-run", visible(id));
    drawer.setAttribute("data-run-id", id);
    clear(title).appendChild(doc.createTextNode("Run "));
    title.appendChild(h("span", { class: "run-id" }, id));
    const href = safeHref(`runs/${run.slug}.html`);
    if (href) {
      link.setAttribute("href", href);
    }
    clear(body).appendChild(h("p", { class: "muted", role: "status" }, "Loading the run's details\u2026"));
    Snapsite.app.openDialog(drawer, opener, () => {
      drawer.removeAttribute("data-run-id");
      if (closed) {
        closed();
      }
      return opener && doc.contains(opener) ? opener : fallbackFocus();
    });
    loadDetail(run.detailFile, id, (detail) => {
      if (drawer.getAttribute("data-drawer-run") !== visible(id)) {
        return; // another run was opened meanwhile
      }
      clear(body);
      if (!detail) {
        body.appendChild(h("p", null, "The details of this run are not in this site's data files: open the run's own page."));
        return;
      }
      append(body, drawerSections(detail, run.row, run.manage));
      Snapsite.app.revealControls(body);
      Snapsite.app.tick();
    });
  }

  function facts(pairs) {
    return h(
      "dl",
      { class: "facts" },
      pairs.map((pair) => h("div", null, [h("dt", null, pair[0]), h("dd", null, pair[1])]))
    );
  }

  function command(line, label) {
    return h("div", { class: "command" }, [
      h("pre", null, h("code", null, line)),
      h("button", { type: "button", class: "copy", "data-copy": line }, label || "Copy")
    ]);
  }

  function drawerSection(key, title, content) {
    return h("section", { class: "drawer-section", "data-section": key, "aria-labelledby": `drawer-${key}-heading` }, [
      h("h3", { id: `drawer-${key}-heading` }, title)
    ].concat(content));
  }

  function simpleTable(caption, headers, rows, className) {
    // Focusable: a table wider than a phone scrolls, and a scrolling region needs keyboard access.
    return h("div", { class: "table-wrap", tabindex: "0" }, h("table", { class: className || "" }, [
      h("caption", null, caption),
      h("thead", null, h("tr", null, headers.map((label) => h("th", { scope: "col" }, label)))),
      h("tbody", null, rows)
    ]));
  }

  function timeText(iso, human) {
    return iso ? h("time", { datetime: iso }, human) : human;
  }

  /**
   * The drawer's sections from the run's drawer data `d` (empty fields left out) and its table row.
   * @param {any} d
   * @param {Record<string, any>} row
   * @param {boolean} manage
   */
  function drawerSections(d, row, manage) {
    const summary = [
      ["Tenant", [d.tenant_name, " ", h("span", { class: "muted" }, `(${row.tenant_id})`)]],
      ["Trigger", row.trigger],
      ["Mode", row.mode],
      ["State", stateBadge(row.state, row.error_code).concat(row.error_message ? [" ", h("span", { class: "reason" }, row.error_message)] : [])],
      ["Schedule", row.schedule_id ? (row.schedule_name || row.schedule_id) + (row.schedule_name ? ` (${row.schedule_id})` : "") : "none (not scheduled)"],
      ["Planner shards", String(row.shard_count)],
      ["Created", timeText(row.created_at, d.created_at_text)],
      ["Started", timeText(row.started_at, d.started_at_text)],
      ["Finished", timeText(row.finished_at, d.finished_at_text)],
      ["Duration", duration(row.duration_seconds) + (row.running ? " (running at snapshot time)" : "")],
      ["Correlation ID", h("code", null, row.correlation_id)],
      ["Initiator", row.initiator]
    ];
    if (row.policy_revision !== null && row.policy_revision !== undefined) {
      summary.push(["Policy revision", h("code", null, row.policy_revision)]);
    }
    if (row.retry_of) {
      const retryHref = d.retry_of_slug ? safeHref(`runs/${d.retry_of_slug}.html`) : null;
      summary.push(["Retry of", retryHref ? h("a", { href: retryHref }, row.retry_of) : `${row.retry_of} (not in this snapshot)`]);
    }

    const phases = d.phases || [];
    const bar = svg(
      "svg",
      { class: "phase-bar", viewBox: "0 0 100 8", preserveAspectRatio: "none", role: "img",
        "aria-label": `Phases: ${phases.map((p) => `${p.name} ${p.state}`).join(", ")}` },
      phases.map((p) => svg("rect", { class: `phase phase-${safeClass(p.state)}`, x: String(p.x), y: "0", width: String(p.width), height: "8" },
          svg("title", {}, `${p.name}: ${p.state}`)))
    );
    const progress = [
      bar,
      h("ol", { class: "legend" }, phases.map((p) => h("li", null, [h("strong", null, p.name), `: ${p.state} `, h("span", { class: "muted" }, `(${p.started_at} to ${p.finished_at})`)]))),
      h("p", { class: "progress-line" }, [
        h("progress", { max: "100", value: String(row.progress_pct), "aria-label": `${row.progress_pct}% complete` }),
        ` ${row.processed} of ${row.total} targets processed (${row.progress_pct}%); throughput ${
          typeof d.throughput_per_minute !== "number" ? "unknown." : `${d.throughput_per_minute} targets per minute.`}`
      ])
    ];

    const segments = d.segments || [];
    const segmentContent = !segments.length ? [h("p", null, "No segments recorded for this run.")] : [
      simpleTable(
        `${segments.length} segment${segments.length === 1 ? "" : "s"} of this run`,
        ["Segment", "Shard", "State", "Targets", "Processed", "Executor", "Retries", "Cooldown", "Error", "Retry"],
        segments.map((s) => {
          /** @type {Children} */
          let cooldown = "\u2014";
          if (s.cooling_down) {
            cooldown = [h("span", { class: "badge cooldown" }, `cooling down until ${s.cooldown_until}`), " ",
              h("span", { class: "muted cooldown-timer", "data-cooldown-until": s.cooldown_until })];
          } else if (s.cooldown_until) {
            cooldown = h("span", { class: "muted" }, `ended ${s.cooldown_until}`);
          }
          /** @type {Children} */
          let error = "\u2014";
          if (s.error_code) {
            error = [
              h("a", { class: "error-code", href: `runbooks/${runbookName(s.error_code)}.html` }, s.error_code),
              ...(s.error_message ? [" ", h("span", { class: "reason" }, s.error_message)] : [])
            ];
          }
          return h("tr", { "data-segment-id": s.id }, [
            h("th", { scope: "row" }, h("code", null, s.id)),
            h("td", { class: "num" }, String(s.shard)),
            h("td", null, h("span", { class: `badge state state-${safeClass(s.state)}` }, s.state)),
            h("td", { class: "num" }, String(s.target_count)),
            h("td", { class: "num" }, String(s.processed)),
            h("td", null, s.executor || "\u2014"),
            h("td", { class: "num" }, String(s.retry_count)),
            h("td", null, cooldown),
            h("td", null, error),
            h("td", null, manage && s.retry_command ? command(s.retry_command) : "\u2014")
          ]);
        }),
        "segments"
      )
    ];

    const counts = d.severity_counts || [];
    let most = 1;
    counts.forEach((pair) => {
      most = Math.max(most, pair[1]);
    });
    const deltas = [
      facts([
        ["New findings", String(row.new_findings)], ["New critical", String(row.new_criticals)], ["New high", String(row.new_high)],
        ["New medium", String(row.new_medium)], ["New low", String(row.new_low)], ["Resolved", String(row.resolved)],
        ["Quieted", String(row.quieted)], ["Severity shifts", String(row.severity_shifts)], ["KEV additions", String(row.kev_additions)]
      ]),
      simpleTable("Findings records of this run by severity", ["Severity", "Findings", "Share"], counts.map((pair) => h("tr", null, [
          h("th", { scope: "row" }, h("span", { class: `badge sev sev-${safeClass(pair[0])}` }, pair[0])),
          h("td", { class: "num" }, String(pair[1])),
          h("td", { class: "bar-cell" }, svg("svg", { class: "bar", viewBox: "0 0 100 4", preserveAspectRatio: "none", "aria-hidden": "true" },
            svg("rect", { class: `sev-fill sev-${safeClass(pair[0])}`, x: "0", y: "0", width: String(Math.round((pair[1] * 10000) / most) / 100), height: "4" })))
        ])), "severity")
    ];
    const findings = d.findings || [];
    if (findings.length) {
      deltas.push(simpleTable(
        `Findings delta: showing ${Math.min(findings.length, FINDINGS_SHOWN)} of ${d.findings_total}`,
        ["Vulnerability", "Severity", "Change", "KEV", "Repository", "Package"],
        findings.slice(0, FINDINGS_SHOWN).map((f) => h("tr", null, [
            h("th", { scope: "row" }, f.vulnerability_id),
            h("td", null, [
              h("span", { class: `badge sev sev-${safeClass(f.severity)}` }, f.severity),
              ...(f.previous_severity ? [" ", h("span", { class: "muted" }, `was ${f.previous_severity}`)] : [])
            ]),
            h("td", null, f.change),
            h("td", null, f.kev ? h("span", { class: "badge kev" }, "KEV") : "no"),
            h("td", null, f.repository),
            h("td", null, h("code", null, f.purl))
          ])),
        "findings"
      ));
    } else {
      deltas.push(h("p", null, "No findings delta records for this run."));
    }
    const csvHref = safeHref(d.findings_csv);
    if (csvHref) {
      deltas.push(h("p", null, h("a", { class: "download", href: csvHref, download: "" }, `Download the findings delta (CSV, ${d.findings_total === 1 ? "its one row" : `all ${d.findings_total} rows`})`)));
    }

    const evidence = d.evidence || [];
    const evidenceContent = [];
    if (evidence.length) {
      evidenceContent.push(h("p", { class: "note" }, "Downloads are local files of this site: copy them to removable media to take them away."));
      evidenceContent.push(simpleTable("Evidence of this run", ["Evidence", "Size", "SHA-256", "Signature", "Files"], evidence.map((item) => {
        const files = [];
        const file = safeHref(item.href);
        const attestation = safeHref(item.attestation_href);
        if (file) {
          files.push(h("a", { href: file, download: "" }, "Download"));
        }
        if (attestation) {
          files.push(h("span", { class: "line" }, h("a", { href: attestation, download: "" }, "Attestation (DSSE)")));
        }
        const title = [h("span", { class: "evidence-title" }, item.title), h("span", { class: "muted line" }, `${item.kind} \u00b7 ${item.media_type}`)];
        if (item.bundle_status) {
          title.push(h("span", { class: "line" }, [
            h("span", { class: `badge bundle bundle-${safeClass(item.bundle_status)}` }, `bundle ${item.bundle_status}`),
            ...(item.bundle_problem ? [" ", h("span", { class: "reason" }, item.bundle_problem)] : [])
          ]));
        }
        return h("tr", {
          "data-evidence-id": item.id,
          "data-signature-status": item.status,
          "data-bundle-status": item.bundle_status || null
        }, [
          h("td", null, title),
          h("td", { class: "num" }, item.size_text),
          h("td", null, h("code", { class: "hash" }, item.sha256)),
          h("td", null, [
            h("span", { class: `badge sig sig-${safeClass(item.status)}` }, item.status),
            ...(item.reason ? [" ", h("span", { class: "reason" }, item.reason)] : [])
          ]),
          h("td", { class: "downloads" }, files)
        ]);
      }), "evidence"));
    } else if (!d.evidence_hidden) {
      evidenceContent.push(h("p", null, "No evidence for this run."));
    }
    if (d.evidence_hidden) {
      evidenceContent.push(h("p", { class: "note" }, `${d.evidence_hidden} evidence item${d.evidence_hidden === 1 ? " is" : "s are"} withheld by this build's scopes.`));
    }

    const logs = d.logs || [];
    const logContent = [h("p", null, "Open in logs: this query finds the run's entries in external log tooling."), command(d.logs_query, "Copy query")];
    if (logs.length) {
      logContent.push(simpleTable(`Showing the last ${logs.length} of ${d.logs_total} log entries`, ["Time", "Severity", "Message", "Correlation ID", "Segment"], logs.map((log) => h("tr", { "data-log-ts": log.ts, class: `log log-${safeClass(log.severity)}` }, [
          h("td", null, h("time", { datetime: log.ts }, log.ts_text)),
          h("td", null, h("span", { class: `badge log-sev log-sev-${safeClass(log.severity)}` }, log.severity)),
          h("td", { class: "message" }, log.message),
          h("td", null, h("code", null, log.correlation_id)),
          h("td", null, log.segment_id ? h("code", null, log.segment_id) : "\u2014")
        ])), "logs"));
    } else {
      logContent.push(h("p", null, "No log entries for this run."));
    }

    const actions = [h("p", null, "This site is an offline snapshot: run these commands where the Scheduler is reachable.")];
    (d.commands || []).forEach((pair) => {
      if (!manage && /^stella runs (retry|cancel) /.test(pair[1])) {
        return;
      }
      actions.push(h("h4", null, pair[0]), command(pair[1]));
    });
    const incidentId = "drawer-incident";
    const incident = h("textarea", { id: incidentId, readonly: true, rows: "10", spellcheck: "false" });
    incident.value = d.incident;
    actions.push(
      h("h4", null, "Escalate to support"),
      h("p", { class: "field" }, [h("label", { for: incidentId }, "Incident text"), incident]),
      h("p", { class: "incident-actions" }, [
        h("button", { type: "button", "data-copy-target": incidentId }, "Copy incident text"),
        " ",
        h("button", { type: "button", "data-download-target": incidentId, "data-filename": `incident-${row.slug.replace(/\//g, "-")}.txt` }, "Download incident text")
      ])
    );

    return [
      drawerSection("summary", "Summary", [facts(summary)]),
      drawerSection("progress", "Progress", progress),
      drawerSection("segments", "Segments", segmentContent),
      drawerSection("deltas", "Deltas", deltas),
      drawerSection("evidence", "Evidence", evidenceContent),
      drawerSection("logs", "Logs", logContent),
      drawerSection("actions", "Actions", actions)
    ];
  }

  const drawer = { open, close, openRun };
  Snapsite.drawer = drawer;
  if (typeof module === "object" && module.exports) {
    module.exports = drawer;
  }
})();
