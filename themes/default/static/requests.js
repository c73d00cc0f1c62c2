/* snapsite default theme: what the Schedules page's forms make, without the page (Snapsite.requests): scope
 * values checked, the submit script of a run request, the keys of a preview and the images they impact in the
 * snapshot's impact index. Needs format.js.
 *
 * No DOM; Node loads this file for the unit tests in tests/js.
 */
/**
 * A row of data/impact.js: tenant, image digest, repository, tags, purls, vulnerability ids.
 * @typedef {[string, string, string, string[] | null, string[] | null, string[] | null]} ImpactRow
 */
/** @typedef {{ purls: string[], vulnerabilityIds: string[] }} Keys */
/** @typedef {{ digest: string, repository: string, tags: string[], matched: string[] }} ImpactedImage */

(() => {
  "use strict";

  const Snapsite = (globalThis.Snapsite = globalThis.Snapsite || /** @type {SnapsiteNamespace} */ ({}));
  const { commentSafe } = Snapsite.format;

  const DIGEST = /^sha256:[0-9a-f]{64}$/;
  const PURL = /^pkg:[A-Za-z][A-Za-z0-9.+-]*\/\S+$/;

  /**
   * The distinct non-empty lines of a textarea, trimmed, in order.
   * @param {string} text
   */
  function lines(text) {
    return [...new Set(text.split(/\r\n|\r|\n/).map((line) => line.trim()).filter(Boolean))];
  }

  /**
   * What is wrong with the scope values of a manual run (at most five lines; none when they are fine).
   * @param {string} kind  purls, image-digests or vulnerability-ids
   * @param {string[]} values
   */
  function scopeProblems(kind, values) {
    if (!values.length) {
      return ["Give at least one scope value, one per line."];
    }
    const bad = values.filter((v) => {
      if (kind === "purls") {
        return !PURL.test(v);
      }
      if (kind === "image-digests") {
        return !DIGEST.test(v);
      }
      return !/^\S+$/.test(v);
    });
    /** @type {Record<string, string>} */
    const what = { purls: "a package URL (pkg:type/name@version)", "image-digests": "an image digest (sha256: and 64 hex digits)" };
    return bad.slice(0, 5).map((v) => `Not ${what[kind] || "a vulnerability ID"}: ${v}`);
  }

  /**
   * The script that checks a run request's sha256 and submits it.
   * @param {string} digest  the request file's sha256, 64 hex digits
   * @param {string} requestName  the request file's name
   * @param {string} snapshotId
   */
  function submitScript(digest, requestName, snapshotId) {
    return [
      "#!/bin/sh",
      `# Generated in the browser by snapsite from snapshot ${commentSafe(snapshotId)}.`,
      `# Submits ${requestName} (keep it beside this script) after checking its sha256.`,
      "# Carry both files back across the air gap and run this where the `stella` CLI can reach the Scheduler.",
      "set -eu",
      'cd "$(dirname -- "$0")"',
      `echo '${digest}  ${requestName}' | sha256sum -c -`,
      `stella runs submit --bundle ${requestName}`,
      ""
    ].join("\n");
  }

  /**
   * Keys from the textarea: lines starting pkg: are package URLs, the others vulnerability IDs.
   * @param {string} text
   * @returns {Keys}
   */
  function keysOf(text) {
    /** @type {Keys} */
    const keys = { purls: [], vulnerabilityIds: [] };
    for (const line of lines(text)) {
      if (/^pkg:/i.test(line)) {
        keys.purls.push(line);
      } else {
        keys.vulnerabilityIds.push(line);
      }
    }
    return keys;
  }

  /**
   * A purl without its qualifiers, subpath and version: what a key without a version matches.
   * @param {string} purl
   */
  function purlBase(purl) {
    const plain = purl.split(/[?#]/)[0];
    const at = plain.lastIndexOf("@");
    return at > plain.lastIndexOf("/") ? plain.slice(0, at) : plain;
  }

  /**
   * The images of `tenant` that one of `keys` touches: a purl key matches a purl of the image exactly, or, when
   * it has no version, any version of that package; a vulnerability ID matches case-insensitively.
   * @param {readonly ImpactRow[]} rows
   * @param {string} tenant
   * @param {Keys} keys
   * @returns {{ images: ImpactedImage[], indexed: number }}
   */
  function impacted(rows, tenant, keys) {
    /** @type {Set<string>} */
    const exact = new Set();
    /** @type {Set<string>} */
    const bases = new Set();
    for (const purl of keys.purls) {
      const plain = purl.split(/[?#]/)[0];
      if (plain.lastIndexOf("@") > plain.lastIndexOf("/")) {
        exact.add(purl);
      } else {
        bases.add(purlBase(purl));
      }
    }
    const vulns = new Set(keys.vulnerabilityIds.map((v) => v.toUpperCase()));
    /** @type {ImpactedImage[]} */
    const images = [];
    let indexed = 0;
    for (const row of rows) {
      if (row[0] !== tenant) {
        continue;
      }
      indexed += 1;
      const matched = [
        ...(row[4] || []).filter((purl) => exact.has(purl) || bases.has(purlBase(purl))),
        ...(row[5] || []).filter((vuln) => vulns.has(String(vuln).toUpperCase()))
      ];
      if (matched.length) {
        images.push({ digest: row[1], repository: row[2], tags: row[3] || [], matched });
      }
    }
    return { images, indexed };
  }

  /**
   * keys.json for `stella runs preview --file`.
   * @param {string} tenant
   * @param {Keys} keys
   */
  function keysJson(tenant, keys) {
    return `${JSON.stringify({ purls: keys.purls, tenantId: tenant, vulnerabilityIds: keys.vulnerabilityIds }, null, 2)}\n`;
  }

  const requests = { lines, scopeProblems, submitScript, keysOf, purlBase, impacted, keysJson };
  Snapsite.requests = requests;
  if (typeof module === "object" && module.exports) {
    module.exports = requests;
  }
})();
