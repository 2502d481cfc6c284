// kpiroll serve: the page's script. Every text it shows comes from the catalogue's
// [web] block (the JSON in #texts) or from the server's answers, never from here.
"use strict";

const T = JSON.parse(document.getElementById("texts").textContent);
const LANG = document.documentElement.lang || "ja";
const $ = (id) => document.getElementById(id);
const fmt = (template, args) =>
  (template || "").replace(/\{(\w+)\}/g, (m, k) => (k in args ? String(args[k]) : m));
const api = (path, extra) => {
  const q = new URLSearchParams(Object.assign({ lang: LANG }, extra || {}));
  return path + "?" + q.toString();
};
// the page's own header: the server refuses a change without it (other sites cannot send it)
const HEADERS = { "x-kpiroll": "1" };

let settings = null;
let chosen = []; // { file, path } in the order added
let run = null;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

async function answer(response) {
  let body = null;
  try {
    body = await response.json();
  } catch (e) {
    body = { error: fmt(T.upload_failed, { detail: response.status + " " + response.statusText }) };
  }
  if (!response.ok && !body.error) body.error = fmt(T.upload_failed, { detail: response.status });
  return body;
}

// ---- 1. the year, last year's book, the settings file ----

async function loadSettings() {
  settings = await answer(await fetch(api("/api/settings")));
  $("year").value = settings.year || "";
  $("due").value = settings.due || "";
  $("contact-section").value = settings.contact_section || "";
  $("contact-extension").value = settings.contact_extension || "";
  $("contact-person").value = settings.contact_person || "";
  $("settings-file").textContent = settings.error
    ? settings.error
    : settings.exists
      ? fmt(T.settings_from, { path: settings.path })
      : T.settings_none;
  if (settings.error) $("settings-file").className = "error-inline";
  const offer = (row, box, text, path, exists, key) => {
    if (path && exists) {
      $(text).textContent = fmt(T[key], { path });
      $(row).hidden = false;
      $(box).checked = true;
    }
  };
  offer("prev-settings-row", "prev-settings", "prev-settings-text", settings.prev, settings.prev_exists, "prev_from_settings");
  offer("renames-settings-row", "renames-settings", "renames-settings-text", settings.renames, settings.renames_exists, "renames_from_settings");
  $("limits").textContent = fmt(T.limits_note, {
    file_mib: settings.file_mib,
    total_mib: settings.total_mib,
    files: settings.files,
  });
  if (!settings.pdf) {
    $("pdf-note").textContent = T.make_pdf_missing;
    document.querySelector('.output[data-what="pdf"] button').disabled = true;
  }
}

async function saveSettings() {
  $("settings-saved").textContent = "";
  const body = {
    year: $("year").value,
    due: $("due").value,
    contact_section: $("contact-section").value,
    contact_extension: $("contact-extension").value,
    contact_person: $("contact-person").value,
  };
  const a = await answer(
    await fetch(api("/api/settings"), {
      method: "POST",
      headers: Object.assign({ "content-type": "application/json" }, HEADERS),
      body: JSON.stringify(body),
    })
  );
  if (a.error) showError(a.error);
  else {
    hideError();
    await loadSettings();
    $("settings-saved").textContent = a.saved;
  }
}

// ---- 2. the returns: files, a folder, or dropped ----

function add(list) {
  const seen = new Set(chosen.map((c) => c.path));
  for (const c of list) {
    if (!seen.has(c.path)) {
      chosen.push(c);
      seen.add(c.path);
    }
  }
  showPicked();
}

function showPicked() {
  if (!chosen.length) {
    $("picked").textContent = T.picked_none;
    return;
  }
  const bytes = chosen.reduce((n, c) => n + c.file.size, 0);
  $("picked").textContent = fmt(T.picked, {
    files: chosen.length,
    mib: (bytes / 1048576).toFixed(bytes < 1048576 ? 2 : 1),
  });
}

async function entriesOf(entry, prefix) {
  if (entry.isFile) {
    const file = await new Promise((ok, fail) => entry.file(ok, fail));
    return [{ file, path: prefix + entry.name }];
  }
  if (!entry.isDirectory) return [];
  const reader = entry.createReader();
  let all = [];
  for (;;) {
    const batch = await new Promise((ok, fail) => reader.readEntries(ok, fail));
    if (!batch.length) break;
    all = all.concat(batch);
  }
  all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let out = [];
  for (const e of all) out = out.concat(await entriesOf(e, prefix + entry.name + "/"));
  return out;
}

async function dropped(event) {
  event.preventDefault();
  $("drop").classList.remove("over");
  const items = [...(event.dataTransfer.items || [])];
  const entries = items.map((i) => (i.webkitGetAsEntry ? i.webkitGetAsEntry() : null));
  if (entries.length && entries.every((e) => e)) {
    let list = [];
    for (const e of entries) list = list.concat(await entriesOf(e, ""));
    add(list);
  } else {
    add([...event.dataTransfer.files].map((file) => ({ file, path: file.name })));
  }
}

// ---- 3. the check ----

function showError(text) {
  $("error").textContent = T.error_title + "\n" + text;
  $("error").hidden = false;
}
function hideError() {
  $("error").hidden = true;
}

async function check() {
  hideError();
  const form = new FormData();
  form.append("year", $("year").value);
  const prev = $("prev").files[0];
  if (prev) form.append("prev", prev, prev.name);
  else if ($("prev-settings").checked) form.append("prev_from_settings", "1");
  const renames = $("renames").files[0];
  if (renames) form.append("renames", renames, renames.name);
  else if ($("renames-settings").checked) form.append("renames_from_settings", "1");
  for (const c of chosen) form.append("returns", c.file, c.path);
  $("check").disabled = true;
  $("busy").hidden = false;
  try {
    const a = await answer(await fetch(api("/api/runs"), { method: "POST", headers: HEADERS, body: form }));
    if (a.run === undefined) {
      showError(a.error);
      return;
    }
    run = a;
    showCheck(a);
  } catch (e) {
    showError(fmt(T.upload_failed, { detail: e.message }));
  } finally {
    $("check").disabled = false;
    $("busy").hidden = true;
  }
}

function showCheck(a) {
  $("step3").hidden = false;
  $("summary").textContent = a.summary || "";
  $("summary-prev").textContent = a.summary_prev || "";
  $("run-folder").textContent = fmt(T.run_folder, { path: a.folder });
  if (a.error) showError(a.error);
  // 提出状況
  const body = $("status").querySelector("tbody");
  body.replaceChildren();
  $("status-block").hidden = !a.submissions.length;
  for (const s of a.submissions) {
    const actions = el("td", {});
    const row = el(
      "tr",
      { class: s.state },
      el("td", { class: "dept", text: s.department }),
      el("td", { class: "state", text: s.state_text }),
      el("td", { class: "num", text: s.received + " / " + s.expected }),
      el("td", { class: "keys", text: s.missing.join("、") }),
      el("td", { text: s.files.join(" ") }),
      actions
    );
    if (s.reminder) {
      const text = el("textarea", { class: "reminder", readonly: "readonly" });
      text.value = s.reminder;
      const note = el("span", { class: "copied" });
      const button = el("button", { type: "button", class: "copy secondary", text: T.copy_reminder });
      button.addEventListener("click", () => copy(s.reminder, text, note));
      actions.append(button, note, text);
    }
    body.append(row);
  }
  // file by file
  const list = $("files-list");
  list.replaceChildren();
  for (const f of a.files) {
    const refused = f.problems.filter((p) => p.refused).length;
    const kind = refused ? "has-refused" : f.problems.length ? "has-warning" : "clean";
    const badge = f.problems.length
      ? el("span", { class: "badge " + (refused ? "bad" : "warn"), text: fmt(T.file_problems, { count: f.problems.length }) })
      : el("span", { class: "badge good", text: T.file_ok });
    const card = el("div", { class: "file " + kind }, el("div", { class: "file-head" }, el("span", { class: "file-name", text: f.name }), badge));
    for (const t of f.tables || []) card.append(el("div", { class: "file-meta", text: t }));
    if (f.taken) card.append(el("div", { class: "file-meta", text: f.taken }));
    if (f.keys) card.append(el("div", { class: "file-meta", text: f.keys }));
    if (f.problems.length) {
      const ul = el("ul", { class: "problems" });
      for (const p of f.problems) {
        ul.append(
          el(
            "li",
            { class: p.refused ? "refused" : "warning" },
            el("span", { class: "at", text: p.at }),
            el("span", { class: "level", text: p.level }),
            el("span", { class: "text", text: p.text }),
            p.todo ? el("span", { class: "todo", text: p.todo }) : null
          )
        );
      }
      card.append(ul);
    }
    list.append(card);
  }
  // 4. the outputs
  const made = !a.error && a.summary;
  $("step4").hidden = !made;
  for (const out of document.querySelectorAll(".output")) {
    out.querySelector(".result").replaceChildren();
    out.querySelector(".result").className = "result";
  }
  $("forms-note").textContent = fmt(T.make_forms_note, { year: a.next_year });
  const diff = document.querySelector('.output[data-what="diff"]');
  diff.querySelector("button").disabled = !a.has_prev;
  diff.querySelector(".needs-prev").textContent = a.has_prev ? "" : T.needs_prev;
  $("step3").scrollIntoView({ behavior: "smooth", block: "start" });
}

async function copy(text, area, note) {
  try {
    await navigator.clipboard.writeText(text);
    note.textContent = T.copied;
  } catch (e) {
    area.classList.add("shown");
    area.select();
    note.textContent = document.execCommand && document.execCommand("copy") ? T.copied : T.copy_failed;
  }
}

// ---- 4. make and download ----

async function make(out) {
  const what = out.dataset.what;
  const result = out.querySelector(".result");
  const button = out.querySelector("button");
  result.className = "result";
  result.textContent = T.making;
  button.disabled = true;
  try {
    const extra = what === "forms" ? { due: $("forms-due").value } : {};
    const a = await answer(
      await fetch(api("/api/runs/" + run.run + "/make/" + what, extra), { method: "POST", headers: HEADERS })
    );
    if (a.error) {
      result.className = "result bad";
      result.textContent = a.error;
      return;
    }
    const href = "/api/runs/" + run.run + "/files/" + encodeURIComponent(a.name);
    const link = el("a", { href, download: a.name, class: "download", text: T.download });
    result.replaceChildren(el("span", { text: a.text + " " }), link);
    link.click();
  } finally {
    button.disabled = false;
  }
}

// ---- wiring ----

$("files").addEventListener("change", (e) => {
  add([...e.target.files].map((file) => ({ file, path: file.name })));
  e.target.value = "";
});
$("folder").addEventListener("change", (e) => {
  add([...e.target.files].map((file) => ({ file, path: file.webkitRelativePath || file.name })));
  e.target.value = "";
});
const drop = $("drop");
drop.addEventListener("dragover", (e) => {
  e.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", dropped);
$("clear").addEventListener("click", () => {
  chosen = [];
  showPicked();
});
$("check").addEventListener("click", check);
$("save-settings").addEventListener("click", saveSettings);
for (const out of document.querySelectorAll(".output")) {
  out.querySelector("button").addEventListener("click", () => make(out));
}
loadSettings().catch((e) => showError(e.message));
