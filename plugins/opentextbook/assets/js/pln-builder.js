/* The PLN builder: add sources of learning and see them drawn as a PLN map.
 *
 * Plain JavaScript, no framework, nothing fetched: it runs offline and from file://.
 * The map's geometry, base drawing (rings, sectors, legend) and stylesheet come from
 * pln-geometry.js, written at build time from opentextbook/pln/geometry.py and svgmap.py, so
 * the live map matches the printable templates. Data stays in this browser (localStorage) and
 * is never sent anywhere. Names are only ever set with textContent or setAttribute.
 *
 * A map is never lost without a word: each book saves under its own key (the build writes it
 * into data-storage-key of this script); a saved map it cannot fully read is copied to a backup
 * key and offered for download before anything overwrites it; a failed save keeps a notice on
 * screen until a later save succeeds.
 */
(function () {
  "use strict";

  var GEOMETRY = window.OPENTEXTBOOK_PLN_GEOMETRY;
  var SVG_NS = "http://www.w3.org/2000/svg";
  /* The one key every book used before keys were per book; the first book opened adopts it. */
  var LEGACY_KEY = "opentextbook.pln-builder.v1";
  var SCRIPT = document.currentScript;
  var STORAGE_KEY = (SCRIPT && SCRIPT.getAttribute("data-storage-key")) || LEGACY_KEY;
  var BACKUP_KEY = STORAGE_KEY + ".unreadable";
  var FORMAT = "opentextbook-pln";
  var VERSION = 1;
  var MAX_SOURCES = 200;
  var MAX_NAME = 120;
  var MAX_IMPORT_BYTES = 200000;
  var MAX_UNDO = 50;

  var root = document.getElementById("pln-app");
  if (!root || !GEOMETRY) {
    return;
  }

  /* Words in the book's language: the generated pln-geometry.js carries them (from the locale
   * files); a text that counts has one form per plural category of the language. */
  function say(key, values) {
    var text = (GEOMETRY.strings || {})[key];
    if (text && typeof text === "object") {
      var count = values ? values.count : 1;
      text = text[new Intl.PluralRules(GEOMETRY.language).select(count)] || text.other;
    }
    return String(text || key).replace(/\{(\w+)\}/g, function (all, name) {
      return values && name in values ? String(values[name]) : all;
    });
  }

  var state = { sources: [] };
  var history = [];
  var editingId = null;
  var nextId = 1;
  var el = {};
  /* Saved maps that could not be read, kept until the reader downloads or discards them. */
  var backups = [];
  /* True while an unreadable saved map exists only here: saving would overwrite it. */
  var backupNotStored = false;
  var unsaved = false;

  function byId(id) {
    return document.getElementById(id);
  }

  /* ---- model --------------------------------------------------------------------------- */

  function sectorById(id) {
    return GEOMETRY.sectors.filter(function (s) { return s.id === id; })[0];
  }

  function ringById(id) {
    return GEOMETRY.rings.filter(function (r) { return r.id === id; })[0];
  }

  /* Characters XML 1.0 does not allow: C0 controls but tab, newline and carriage return,
   * U+FFFE, U+FFFF and (the "u" flag makes the range match only these) lone surrogates. One of
   * them in a name would make the exported SVG unreadable, so each becomes U+FFFD. */
  var NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/gu;

  function xmlSafe(text) {
    return text.replace(NOT_XML, "\uFFFD");
  }

  function cleanName(value) {
    return typeof value === "string" ? xmlSafe(value.replace(/[\u0000-\u001f\u007f]/g, " ")).trim() : "";
  }

  /* Validate a list of sources from an imported file; throw a readable Error. */
  function validateSources(list) {
    if (!Array.isArray(list)) {
      throw new Error(say("builder.err_list"));
    }
    if (list.length > MAX_SOURCES) {
      throw new Error(say("builder.err_max", { max: MAX_SOURCES }));
    }
    return list.map(validateSource);
  }

  function validateSource(item, index) {
    var where = say("builder.err_source", { number: index + 1 }) + " ";
    if (!item || typeof item !== "object" || Array.isArray(item)) {
      throw new Error(where + say("builder.err_object"));
    }
    Object.keys(item).forEach(function (key) {
      if (["name", "group", "closeness"].indexOf(key) < 0) {
        throw new Error(where + say("builder.err_field", { field: key.slice(0, 40) }));
      }
    });
    var name = cleanName(item.name);
    if (!name || name.length > MAX_NAME) {
      throw new Error(where + say("builder.err_name", { max: MAX_NAME }));
    }
    if (typeof item.group !== "string" || !sectorById(item.group)) {
      throw new Error(where + say("builder.err_group", { ids: idsOf(GEOMETRY.sectors) }));
    }
    if (typeof item.closeness !== "string" || !ringById(item.closeness)) {
      throw new Error(where + say("builder.err_closeness", { ids: idsOf(GEOMETRY.rings) }));
    }
    return { name: name, group: item.group, closeness: item.closeness };
  }

  function idsOf(list) {
    return list.map(function (x) { return x.id; }).join(", ");
  }

  /* Parse and check a PLN file; returns plain sources or throws with the reason. */
  function parsePlnFile(text) {
    return validateSources(parsePlnObject(text).sources);
  }

  /* The outer checks of a PLN file: size, JSON, format and version. */
  function parsePlnObject(text) {
    if (text.length > MAX_IMPORT_BYTES) {
      throw new Error(say("builder.err_size"));
    }
    var data;
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new Error(say("builder.err_json"));
    }
    if (!data || typeof data !== "object" || Array.isArray(data)) {
      throw new Error(say("builder.err_not_object"));
    }
    if (data.format !== FORMAT || data.version !== VERSION) {
      throw new Error(say("builder.err_format", { format: FORMAT, version: VERSION }));
    }
    return data;
  }

  /* A saved map, read as far as it can be: the sources it could read, and why it skipped any
   * (a remix may have renamed a group, so one bad entry must not cost the others). */
  function readSavedMap(text) {
    var data;
    try {
      data = parsePlnObject(text);
    } catch (err) {
      return { sources: [], problem: err.message, skipped: 0 };
    }
    var list = Array.isArray(data.sources) ? data.sources : [];
    var sources = [];
    var problems = Array.isArray(data.sources) ? [] : [say("builder.err_list")];
    list.forEach(function (item, index) {
      try {
        sources.push(validateSource(item, index));
      } catch (err) {
        problems.push(err.message);
      }
    });
    if (sources.length > MAX_SOURCES) {
      problems.push(say("builder.err_max", { max: MAX_SOURCES }));
      sources = sources.slice(0, MAX_SOURCES);
    }
    return { sources: sources, problem: problems[0] || "", skipped: list.length - sources.length };
  }

  function withIds(sources) {
    return sources.map(function (s) {
      return { id: nextId++, name: s.name, group: s.group, closeness: s.closeness };
    });
  }

  function exportData() {
    return {
      format: FORMAT,
      version: VERSION,
      sources: state.sources.map(function (s) {
        return { name: s.name, group: s.group, closeness: s.closeness };
      })
    };
  }

  /* Every change goes through here: remember the old state for undo, save, redraw. */
  function change(newSources, message) {
    history.push(state.sources);
    if (history.length > MAX_UNDO) {
      history.shift();
    }
    state = { sources: newSources };
    save();
    render();
    announce(message);
  }

  /* ---- storage ------------------------------------------------------------------------- */

  function readStored(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (err) {
      return null;
    }
  }

  function writeStored(key, text) {
    try {
      window.localStorage.setItem(key, text);
      return true;
    } catch (err) {
      return false;  // storage full (quota), turned off, or refused by the browser
    }
  }

  function removeStored(key) {
    try {
      window.localStorage.removeItem(key);
    } catch (err) {
      /* nothing to keep: the key stays as it was */
    }
  }

  /* Save the map, or keep a notice on screen saying it is not saved until a save succeeds. */
  function save() {
    unsaved = backupNotStored || !writeStored(STORAGE_KEY, JSON.stringify(exportData()));
    el.saveNotice.hidden = !unsaved;
    el.saveText.textContent = backupNotStored
      ? say("builder.save_blocked")
      : say("builder.save_failed");
    showAlert();
  }

  /* Maps saved under the key every book shared move to this book's own key, once. */
  function adoptLegacyMap() {
    if (STORAGE_KEY === LEGACY_KEY || readStored(STORAGE_KEY) !== null) {
      return;
    }
    var old = readStored(LEGACY_KEY);
    if (old !== null && writeStored(STORAGE_KEY, old)) {
      removeStored(LEGACY_KEY);
    }
  }

  function load() {
    adoptLegacyMap();
    backups = readBackups();
    var text = readStored(STORAGE_KEY);
    if (text) {
      var saved = readSavedMap(text);
      state = { sources: withIds(saved.sources) };
      if (saved.problem) {
        keepUnreadable(text, saved);
      }
    }
    showBackups();
  }

  function readBackups() {
    try {
      var list = JSON.parse(readStored(BACKUP_KEY) || "[]");
      return Array.isArray(list) ? list.filter(function (x) { return typeof x === "string"; }) : [];
    } catch (err) {
      return [];
    }
  }

  /* Copy a saved map that could not be read in full to the backup key before anything
   * overwrites it; if even that fails, hold it here and save nothing until it is downloaded. */
  function keepUnreadable(text, saved) {
    if (backups.indexOf(text) < 0) {
      backups.push(text);
      backupNotStored = !writeStored(BACKUP_KEY, JSON.stringify(backups));
    }
    var what = saved.sources.length
      ? say("builder.backup_skipped", { count: saved.skipped })
      : say("builder.backup_unreadable");
    var kept = backupNotStored ? "builder.backup_kept_page" : "builder.backup_kept_browser";
    el.backupText.textContent = say(kept, { what: what, problem: saved.problem });
  }

  function showBackups() {
    el.backupNotice.hidden = backups.length === 0;
    if (backups.length && !el.backupText.textContent) {
      el.backupText.textContent = say("builder.backup_found");
    }
    showAlert();
  }

  function showAlert() {
    el.alert.hidden = el.backupNotice.hidden && el.saveNotice.hidden;
  }

  function downloadBackups() {
    backups.forEach(function (text, index) {
      var suffix = backups.length > 1 ? "-" + (index + 1) : "";
      download(new Blob([text], { type: "application/json" }), "my-pln-unreadable" + suffix + ".json");
    });
    announce(say("builder.backup_downloaded"));
  }

  function discardBackups() {
    backups = [];
    backupNotStored = false;
    removeStored(BACKUP_KEY);
    el.backupText.textContent = "";
    showBackups();
    save();
    announce(say("builder.backup_discarded"));
  }

  /* ---- drawing ------------------------------------------------------------------------- */

  function round(value) {
    return Math.round(value * 10) / 10;
  }

  /* Same rule as place_nodes() in geometry.py: spread each (group, closeness) cell's nodes
   * evenly across its arc, alternating in and out when there are three or more. */
  function placeNodes(sources) {
    var cells = {};
    var order = [];
    sources.forEach(function (s, position) {
      var key = s.group + "|" + s.closeness;
      if (!cells[key]) {
        cells[key] = [];
        order.push(key);
      }
      cells[key].push({ source: s, index: position });
    });
    var placed = [];
    order.forEach(function (key) {
      var members = cells[key];
      var arc = sectorById(members[0].source.group);
      var band = ringById(members[0].source.closeness);
      members.forEach(function (m, index) {
        var angle = arc.start + (arc.end - arc.start) * (index + 1) / (members.length + 1);
        var offset = members.length < 3 ? 0 : (band.outer - band.inner) * 0.18 * (index % 2 ? -1 : 1);
        var rad = angle * Math.PI / 180;
        var radius = band.middle + offset;
        placed.push({
          source: m.source,
          index: m.index,
          x: round(GEOMETRY.centre + radius * Math.cos(rad)),
          y: round(GEOMETRY.centre + radius * Math.sin(rad))
        });
      });
    });
    return placed;
  }

  /* ---- labels: the same steps as opentextbook/pln/labels.py, so that every label has a place
   * where it covers no other label, marker, divider, ring or sector label. Strings are handled
   * as arrays of code points, as Python does. */

  var NARROW = " iljtfrI.,;:'!|()[]{}-";
  var WIDE = "mwMW@%#&";
  var SHIFTS = [0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6];
  var BESIDE = 18;

  function charWidth(c) {
    if (NARROW.indexOf(c) >= 0) {
      return 0.42;
    }
    if (WIDE.indexOf(c) >= 0 || c.codePointAt(0) >= 0x2E80) {
      return 1.0;
    }
    if (c >= "A" && c <= "Z") {
      return 0.8;
    }
    return 0.64;
  }

  function textWidth(chars) {
    var total = 0.0;
    chars.forEach(function (c) { total += charWidth(c); });
    return total * GEOMETRY.textSize;
  }

  function fit(chars) {
    var count = 1;
    while (count < chars.length && textWidth(chars.slice(0, count + 1)) <= GEOMETRY.wrapWidth) {
      count += 1;
    }
    return count;
  }

  function rstripSpaces(chars) {
    var end = chars.length;
    while (end > 0 && chars[end - 1] === " ") {
      end -= 1;
    }
    return chars.slice(0, end);
  }

  function ellipsis(chars) {
    while (chars.length > 1 && textWidth(rstripSpaces(chars).concat(["\u2026"])) > GEOMETRY.wrapWidth) {
      chars = chars.slice(0, -1);
    }
    return rstripSpaces(chars).concat(["\u2026"]);
  }

  /* label_lines() in labels.py: at most two lines, broken between words. */
  function labelLines(name) {
    var words = name.split(" ").filter(Boolean).map(function (w) { return Array.from(w); });
    var lines = [];
    var space = [" "];
    while (words.length && lines.length < 2) {
      var line = words.shift();
      if (textWidth(line) > GEOMETRY.wrapWidth) {
        var cut = fit(line);
        words.unshift(line.slice(cut));
        line = line.slice(0, cut);
      }
      while (words.length && textWidth(line.concat(space, words[0])) <= GEOMETRY.wrapWidth) {
        line = line.concat(space, words.shift());
      }
      lines.push(line);
    }
    if (words.length) {
      var rest = lines[lines.length - 1];
      words.forEach(function (w) { rest = rest.concat(space, w); });
      lines[lines.length - 1] = ellipsis(rest);
    }
    return lines.map(function (l) { return l.join(""); });
  }

  function overlaps(a, b) {
    var gap = GEOMETRY.labelGap;
    return a[0] < b[2] + gap && b[0] < a[2] + gap && a[1] < b[3] + gap && b[1] < a[3] + gap;
  }

  function inside(box) {
    var gap = GEOMETRY.labelGap;
    var size = GEOMETRY.size;
    return box[0] >= gap && box[1] >= gap && box[2] <= size - gap && box[3] <= size - gap;
  }

  function candidates(x, y, width, height) {
    var centre = GEOMETRY.centre;
    var outLeft = x >= centre ? x + BESIDE : x - BESIDE - width;
    var inLeft = x >= centre ? x - BESIDE - width : x + BESIDE;
    var half = GEOMETRY.lineHeight / 2;
    var tops = SHIFTS.map(function (shift) { return y - height / 2 + shift * half; });
    var centred = x - width / 2;
    var corners = tops.map(function (top) { return [outLeft, top]; });
    corners.push([centred, y + BESIDE], [centred, y - BESIDE - height]);
    tops.forEach(function (top) { corners.push([inLeft, top]); });
    return corners.map(function (c) { return [c[0], c[1], c[0] + width, c[1] + height]; });
  }

  function placeLabel(x, y, lines, taken) {
    var width = 0.0;
    lines.forEach(function (line) { width = Math.max(width, textWidth(Array.from(line))); });
    var height = lines.length * GEOMETRY.lineHeight;
    return candidates(x, y, width, height).filter(function (box) {
      return inside(box) && !taken.some(function (other) { return overlaps(box, other); });
    })[0] || null;
  }

  /* layout_labels() in labels.py: a label (lines and top-left corner) per node, or null. */
  function layoutLabels(placed) {
    var reach = GEOMETRY.markerReach;
    var taken = GEOMETRY.obstacles.slice();
    placed.forEach(function (p) {
      taken.push([p.x - reach, p.y - reach, p.x + reach, p.y + reach]);
    });
    return placed.map(function (p) {
      var choices = [labelLines(p.source.name), [String(p.index + 1)]];
      for (var i = 0; i < choices.length; i += 1) {
        var box = placeLabel(p.x, p.y, choices[i], taken);
        if (box) {
          taken.push(box);
          return { lines: choices[i], left: round(box[0]), top: round(box[1]) };
        }
      }
      return null;
    });
  }

  /* Same shapes as marker_path() in svgmap.py. */
  function markerPath(shape, x, y) {
    var r = 11;
    var points;
    if (shape === "circle") {
      return "M" + round(x - r) + "," + y + "A" + r + "," + r + " 0 1,0 " + round(x + r) + "," + y +
        "A" + r + "," + r + " 0 1,0 " + round(x - r) + "," + y + "Z";
    }
    if (shape === "square") {
      var s = r * 0.9;
      points = [[x - s, y - s], [x + s, y - s], [x + s, y + s], [x - s, y + s]];
    } else if (shape === "diamond") {
      var d = r * 1.2;
      points = [[x, y - d], [x + d, y], [x, y + d], [x - d, y]];
    } else {
      var t = r * 1.15;
      points = [[x, y - t], [x + t, y + r * 0.85], [x - t, y + r * 0.85]];
    }
    return "M" + points.map(function (p) { return round(p[0]) + "," + round(p[1]); }).join("L") + "Z";
  }

  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (key) {
      node.setAttribute(key, attrs[key]);
    });
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  /* The base drawing is the build's own markup (rings, sectors, legend), never reader data. */
  function baseLayer() {
    var doc = new DOMParser().parseFromString(
      "<svg xmlns=\"" + SVG_NS + "\">" + GEOMETRY.base + "</svg>", "image/svg+xml");
    return document.importNode(doc.documentElement.firstElementChild, true);
  }

  /* The live map leaves the credit out (the page itself says where the book comes from);
   * exported files carry it, as the template SVGs do. */
  function buildMap(withCredit) {
    var w = GEOMETRY.width;
    var h = GEOMETRY.height;
    var map = svg("svg", {
      xmlns: SVG_NS, "class": "pln-map", viewBox: "0 0 " + w + " " + h,
      role: "img", "aria-labelledby": "pln-live-title pln-live-desc", lang: GEOMETRY.language
    });
    map.appendChild(svg("title", { id: "pln-live-title" }, say("pln.map.title")));
    map.appendChild(svg("desc", { id: "pln-live-desc" }, describe()));
    map.appendChild(svg("style", {}, GEOMETRY.style));
    map.appendChild(baseLayer());
    var nodes = svg("g", { "class": "pln-nodes" });
    var placed = placeNodes(state.sources);
    var labels = layoutLabels(placed);
    placed.forEach(function (p, i) {
      nodes.appendChild(drawNode(p, labels[i]));
    });
    map.appendChild(nodes);
    if (withCredit) {
      var credit = svg("text", {
        "class": "pln-credit", x: w / 2, y: GEOMETRY.creditY, "text-anchor": "middle"
      });
      GEOMETRY.credit.forEach(function (line, i) {
        credit.appendChild(svg("tspan", { x: w / 2, dy: i ? GEOMETRY.creditLine : 0 }, line));
      });
      map.appendChild(credit);
    }
    return map;
  }

  function drawNode(p, label) {
    var s = p.source;
    var g = svg("g", {
      "class": "pln-node pln-group-" + s.group, "data-closeness": s.closeness,
      "data-index": String(p.index)
    });
    g.appendChild(svg("title", {}, s.name));
    g.appendChild(svg("path", { "class": "pln-marker", d: markerPath(sectorById(s.group).shape, p.x, p.y) }));
    if (label) {
      var text = svg("text", { "class": "pln-node-label" });
      label.lines.forEach(function (line, i) {
        var y = round(label.top + GEOMETRY.ascent + i * GEOMETRY.lineHeight);
        text.appendChild(svg("tspan", { x: label.left, y: y }, line));
      });
      g.appendChild(text);
    }
    return g;
  }

  function describe() {
    if (!state.sources.length) {
      return say("builder.empty_map");
    }
    return say("builder.map_with", { count: state.sources.length });
  }

  function describeSource(s) {
    return say("builder.source_place", {
      group: sectorById(s.group).label,
      ring: ringById(s.closeness).label.toLocaleLowerCase(GEOMETRY.language)
    });
  }

  /* ---- page ---------------------------------------------------------------------------- */

  function render() {
    el.holder.replaceChildren(buildMap(false));
    el.list.replaceChildren.apply(el.list, state.sources.map(listItem));
    el.empty.hidden = state.sources.length > 0;
    el.count.textContent = String(state.sources.length);
    el.undo.disabled = history.length === 0;
    el.clear.disabled = state.sources.length === 0;
  }

  /* One row per source: its words on the left, Edit and Remove together at the right edge
   * (below the words, still at the right, when the row is too narrow for both). */
  function listItem(s) {
    var li = document.createElement("li");
    li.className = "pln-item pln-group-" + s.group;
    var row = document.createElement("div");
    row.className = "pln-item-row";
    var words = document.createElement("span");
    words.className = "pln-item-text";
    var name = document.createElement("span");
    name.className = "pln-item-name";
    name.textContent = s.name;
    var detail = document.createElement("span");
    detail.className = "pln-item-detail";
    detail.textContent = " \u2014 " + describeSource(s);
    words.appendChild(name);
    words.appendChild(detail);
    var actions = document.createElement("span");
    actions.className = "pln-item-actions";
    actions.appendChild(itemButton("edit", s, function () { startEdit(s.id); }));
    actions.appendChild(itemButton("remove", s, function () { removeSource(s.id); }));
    row.appendChild(words);
    row.appendChild(actions);
    li.appendChild(row);
    return li;
  }

  function itemButton(kind, s, action) {
    var button = document.createElement("button");
    var label = say("builder." + kind);
    button.type = "button";
    button.className = "pln-button pln-small-button";
    button.textContent = label;
    button.setAttribute("aria-label", label + " " + s.name);
    button.setAttribute("data-action", kind);
    button.addEventListener("click", action);
    return button;
  }

  /* One message line: a new message, status or error, replaces the one before. */
  function announce(message) {
    if (message) {
      clearError();
      el.status.textContent = message;
    }
  }

  function showError(message) {
    el.status.textContent = "";
    el.error.textContent = message;
    el.error.hidden = false;
  }

  function clearError() {
    el.error.textContent = "";
    el.error.hidden = true;
  }

  /* Bring the source just drawn into sight (the map may be below the form, or wider than a
   * phone's screen), without moving the page more than needed. */
  function showNode(index) {
    var node = el.holder.querySelector(".pln-node[data-index=\"" + index + "\"]");
    if (node && node.scrollIntoView) {
      node.scrollIntoView({ block: "nearest", inline: "center" });
    }
  }

  function fillSelect(select, items) {
    items.forEach(function (item) {
      var option = document.createElement("option");
      option.value = item.id;
      option.textContent = item.label;
      select.appendChild(option);
    });
  }

  function submitForm(event) {
    event.preventDefault();
    clearError();
    var name = cleanName(el.name.value);
    if (!name) {
      showError(say("builder.need_name"));
      el.name.focus();
      return;
    }
    if (name.length > MAX_NAME) {
      showError(say("builder.name_too_long", { max: MAX_NAME }));
      return;
    }
    var entry = { name: name, group: el.group.value, closeness: el.closeness.value };
    if (editingId !== null) {
      var id = editingId;
      change(state.sources.map(function (s) {
        return s.id === id ? { id: id, name: entry.name, group: entry.group, closeness: entry.closeness } : s;
      }), say("builder.changed", { name: name }));
      stopEdit();
      showNode(state.sources.findIndex(function (s) { return s.id === id; }));
    } else if (state.sources.length >= MAX_SOURCES) {
      showError(say("builder.too_many", { max: MAX_SOURCES }));
      return;
    } else {
      change(state.sources.concat(withIds([entry])),
        say("builder.added", { name: name, what: describeSource(entry) }));
      el.name.value = "";
      showNode(state.sources.length - 1);
    }
    el.name.focus();
  }

  function startEdit(id) {
    var s = state.sources.filter(function (x) { return x.id === id; })[0];
    if (!s) {
      return;
    }
    editingId = id;
    el.name.value = s.name;
    el.group.value = s.group;
    el.closeness.value = s.closeness;
    el.legend.textContent = say("builder.edit_legend");
    el.submit.textContent = say("builder.save_changes");
    el.cancel.hidden = false;
    el.name.focus();
    announce(say("builder.editing", { name: s.name }));
  }

  function stopEdit() {
    editingId = null;
    el.form.reset();
    el.legend.textContent = say("builder.add_legend");
    el.submit.textContent = say("builder.add_submit");
    el.cancel.hidden = true;
  }

  function removeSource(id) {
    var index = state.sources.findIndex(function (s) { return s.id === id; });
    if (index < 0) {
      return;
    }
    var name = state.sources[index].name;
    if (editingId === id) {
      stopEdit();
    }
    change(state.sources.filter(function (s) { return s.id !== id; }), say("builder.removed", { name: name }));
    var buttons = el.list.querySelectorAll("button[data-action=remove]");
    (buttons[Math.min(index, buttons.length - 1)] || el.name).focus();
  }

  function undo() {
    if (!history.length) {
      return;
    }
    stopEdit();
    state = { sources: history.pop() };
    save();
    render();
    announce(say("builder.undone", { count: state.sources.length }));
  }

  function askClear() {
    el.confirm.hidden = false;
    el.confirmNo.focus();
  }

  function answerClear(yes) {
    el.confirm.hidden = true;
    if (yes) {
      stopEdit();
      change([], say("builder.cleared"));
      el.name.focus();
    } else {
      el.clear.focus();
    }
  }

  /* ---- files --------------------------------------------------------------------------- */

  function download(blob, filename) {
    var url = URL.createObjectURL(blob);
    var link = document.createElement("a");
    link.href = url;
    link.download = filename;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  /* The map as a standalone SVG file; xmlSafe() again, as the book's own text (title, credit)
   * reaches the drawing too and the file must parse whatever it holds. */
  function svgText() {
    var map = buildMap(true);
    map.setAttribute("width", GEOMETRY.width);
    map.setAttribute("height", GEOMETRY.height);
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + xmlSafe(new XMLSerializer().serializeToString(map));
  }

  function exportSvg() {
    download(new Blob([svgText()], { type: "image/svg+xml" }), "my-pln-map.svg");
    announce(say("builder.exported", { format: "SVG" }));
  }

  function exportJson() {
    var text = JSON.stringify(exportData(), null, 2) + "\n";
    download(new Blob([text], { type: "application/json" }), "my-pln.json");
    announce(say("builder.exported", { format: "JSON" }));
  }

  function exportPng() {
    var url = URL.createObjectURL(new Blob([svgText()], { type: "image/svg+xml" }));
    var image = new Image();
    image.onload = function () {
      var canvas = document.createElement("canvas");
      canvas.width = GEOMETRY.width * 2;
      canvas.height = GEOMETRY.height * 2;
      var context = canvas.getContext("2d");
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      URL.revokeObjectURL(url);
      canvas.toBlob(function (blob) {
        if (blob) {
          download(blob, "my-pln-map.png");
          announce(say("builder.exported", { format: "PNG" }));
        } else {
          showError(say("builder.no_png"));
        }
      }, "image/png");
    };
    image.onerror = function () {
      URL.revokeObjectURL(url);
      showError(say("builder.no_png"));
    };
    image.src = url;
  }

  function importFile() {
    var file = el.importInput.files[0];
    el.importInput.value = "";
    if (!file) {
      return;
    }
    clearError();
    if (file.size > MAX_IMPORT_BYTES) {
      showError(say("builder.import_refused", { reason: say("builder.err_size") }));
      return;
    }
    file.text().then(function (text) {
      var sources;
      try {
        sources = parsePlnFile(text);
      } catch (err) {
        showError(say("builder.import_refused", { reason: err.message }));
        return;
      }
      stopEdit();
      change(withIds(sources), say("builder.imported", { count: sources.length }));
    }, function () {
      showError(say("builder.import_refused", { reason: say("builder.err_unreadable") }));
    });
  }

  /* ---- start --------------------------------------------------------------------------- */

  function bind(id, event, handler) {
    el[id] = byId("pln-" + id);
    el[id].addEventListener(event, handler);
  }

  function start() {
    ["holder", "list", "empty", "count", "status", "error", "name", "group", "closeness",
      "legend", "submit", "confirm", "alert"].forEach(function (id) {
      el[id] = byId("pln-" + id);
    });
    el.backupNotice = byId("pln-backup-notice");
    el.backupText = byId("pln-backup-text");
    el.saveNotice = byId("pln-save-notice");
    el.saveText = byId("pln-save-text");
    byId("pln-backup-download").addEventListener("click", downloadBackups);
    byId("pln-backup-discard").addEventListener("click", discardBackups);
    byId("pln-save-export").addEventListener("click", exportJson);
    window.addEventListener("beforeunload", function (event) {
      if (unsaved) {
        event.preventDefault();  // the browser asks before the only copy of the map is gone
      }
    });
    el.importInput = byId("pln-import");
    el.importInput.addEventListener("change", importFile);
    byId("pln-import-button").addEventListener("click", function () { el.importInput.click(); });
    el.confirmNo = byId("pln-confirm-no");
    bind("form", "submit", submitForm);
    bind("cancel", "click", function () { stopEdit(); el.name.focus(); });
    bind("undo", "click", undo);
    bind("clear", "click", askClear);
    bind("export-svg", "click", exportSvg);
    bind("export-png", "click", exportPng);
    bind("export-json", "click", exportJson);
    bind("print", "click", function () { window.print(); });
    byId("pln-confirm-yes").addEventListener("click", function () { answerClear(true); });
    el.confirmNo.addEventListener("click", function () { answerClear(false); });
    fillSelect(el.group, GEOMETRY.sectors);
    fillSelect(el.closeness, GEOMETRY.rings);
    load();
    render();
    root.classList.add("pln-ready");
    root.setAttribute("data-ready", "true");
  }

  start();
})();
