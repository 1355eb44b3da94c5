// Small progressive enhancements; every page works without them.
// Wide tables scroll sideways in their wrapper (on a phone); keyboard users must be able to focus the wrapper
// to scroll it (WCAG 2.1.1). Only a wrapper that really scrolls becomes a tab stop; it is named after the
// table's caption. Checked again when the window changes size.
function makeScrollRegionsFocusable(root) {
  for (const wrapper of root.querySelectorAll(".table-responsive")) {
    const scrolls = wrapper.scrollWidth > wrapper.clientWidth + 1;
    const ours = wrapper.dataset.scrollRegion === "1";
    if (scrolls && !wrapper.hasAttribute("tabindex")) {
      const caption = wrapper.querySelector("caption");
      wrapper.setAttribute("tabindex", "0");
      wrapper.setAttribute("role", "region");
      wrapper.setAttribute("aria-label", caption ? caption.textContent.trim() : document.title);
      wrapper.dataset.scrollRegion = "1";
    } else if (!scrolls && ours) {
      wrapper.removeAttribute("tabindex");
      wrapper.removeAttribute("role");
      wrapper.removeAttribute("aria-label");
      delete wrapper.dataset.scrollRegion;
    }
  }
}

let scrollRegionTimer = null;
window.addEventListener("resize", () => {
  clearTimeout(scrollRegionTimer);
  scrollRegionTimer = setTimeout(() => makeScrollRegionsFocusable(document), 150);
});
document.addEventListener("htmx:afterSwap", (event) => makeScrollRegionsFocusable(event.target));

document.addEventListener("DOMContentLoaded", () => {
  makeScrollRegionsFocusable(document);
  // Submit the agreement and language selects on change for mouse users; the button stays for keyboards.
  for (const select of document.querySelectorAll(".agreement-switcher select, .language-menu select")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }

  // After a failed submit, move focus to the error summary so screen readers announce it.
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  // Funding lines: "Add a funding line" clones the formset's empty form (without JS, three blank rows exist).
  const addButton = document.getElementById("add-funding-line");
  const template = document.getElementById("funding-line-template");
  const total = document.getElementById("id_lines-TOTAL_FORMS");
  const body = document.getElementById("funding-lines-body");
  if (addButton && template && total && body) {
    addButton.hidden = false;
    addButton.addEventListener("click", () => {
      const index = parseInt(total.value, 10);
      const html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__n__/g, String(index + 1));
      body.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      const first = body.lastElementChild && body.lastElementChild.querySelector("select, input");
      if (first) first.focus();
    });
  }
});

// Forms answered with 400 (or 409/422) carry their error messages in the returned fragment: swap it in
// instead of silently dropping it (htmx does not swap error responses by default), then move focus to
// the error summary so it is seen and announced.
document.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  if ([400, 409, 422].includes(status)) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
document.addEventListener("htmx:afterSwap", (event) => {
  const summary = event.target.querySelector ? document.getElementById("plan-errors") : null;
  if (summary) summary.focus();
});

// Financing-plan grid: arrow keys move between the cells (left and right only when the caret is at the
// input's edge, so editing inside an amount still works), Enter moves down instead of submitting.
function planGridMove(input, rowStep, colStep) {
  const grid = input.closest(".plan-grid");
  if (!grid) return false;
  const cells = Array.from(grid.querySelectorAll("input.plan-amount"));
  const row = parseInt(input.dataset.row, 10);
  const col = parseInt(input.dataset.col, 10);
  let target = null;
  if (colStep) {
    const sameRow = cells.filter((c) => parseInt(c.dataset.row, 10) === row);
    const candidates = sameRow.filter((c) => (parseInt(c.dataset.col, 10) - col) * colStep > 0);
    candidates.sort((a, b) => (parseInt(a.dataset.col, 10) - parseInt(b.dataset.col, 10)) * colStep);
    target = candidates[0] || null;
  } else {
    const sameCol = cells.filter((c) => parseInt(c.dataset.col, 10) === col);
    const candidates = sameCol.filter((c) => (parseInt(c.dataset.row, 10) - row) * rowStep > 0);
    candidates.sort((a, b) => (parseInt(a.dataset.row, 10) - parseInt(b.dataset.row, 10)) * rowStep);
    target = candidates[0] || null;
  }
  if (!target) return false;
  target.focus();
  target.select();
  return true;
}

document.addEventListener("keydown", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || !input.classList.contains("plan-amount")) return;
  if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
  const atStart = input.selectionStart === 0 && input.selectionEnd === 0;
  const atEnd = input.selectionStart === input.value.length && input.selectionEnd === input.value.length;
  let moved = false;
  if (event.key === "ArrowUp") moved = planGridMove(input, -1, 0);
  else if (event.key === "ArrowDown") moved = planGridMove(input, 1, 0);
  else if (event.key === "ArrowLeft" && atStart) moved = planGridMove(input, 0, -1);
  else if (event.key === "ArrowRight" && atEnd) moved = planGridMove(input, 0, 1);
  else if (event.key === "Enter") {
    moved = planGridMove(input, 1, 0);
    if (!moved) event.preventDefault();  // the last row: stay; the plan is saved with its button
  }
  if (moved) event.preventDefault();
});

// Personal API tokens: a new token's key can be copied with one click (the field stays selectable without JS),
// and focus goes to it so it is seen and announced.
document.addEventListener("DOMContentLoaded", () => {
  const newToken = document.getElementById("new-token");
  if (newToken) newToken.focus();
  for (const button of document.querySelectorAll("[data-copy-target]")) {
    const field = document.getElementById(button.dataset.copyTarget);
    if (!field) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      field.select();
      try {
        await navigator.clipboard.writeText(field.value);
        button.textContent = button.dataset.copiedText;
      } catch (e) {
        // No clipboard access (an insecure origin, a refused permission): the key is selected for Ctrl+C.
      }
    });
  }
});

// --- Session timeout: a warning before it, and typed values kept across it -----------------------------------
// <body> carries the seconds left of the signed-in session (data-session-*). Shortly before the end a dialog
// offers "Stay signed in" (a POST to the keep-alive endpoint). What is typed into a POST form is kept in
// sessionStorage (this tab only; never passwords, CSRF tokens, hidden or file fields); when the session has
// ended (the timer ran out, or a submit landed on the sign-in page) it is restored after signing in again on
// the same page, for the same user.
const DRAFT_KEY = "portal.draft";
const DEADLINE_KEY = "portal.sessionDeadline";  // shared by the tabs: activity in one extends them all
const DRAFT_MAX_AGE_MS = 12 * 3600 * 1000;
// The server counts whole seconds and ends the session on the first request after the limit: "ended" is said
// only once that is surely past, so a submit after the message never still goes through.
const EXPIRY_GRACE_MS = 2000;
const SKIPPED_TYPES = ["password", "file", "submit", "button", "reset", "image"];
// A formset's row counts describe the rows on the page, which a restore does not add.
const MANAGEMENT_FIELD = /-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$/;

function pageUrl() {
  return location.pathname + location.search;
}

function readDraft() {
  try {
    const draft = JSON.parse(sessionStorage.getItem(DRAFT_KEY) || "null");
    if (draft && Date.now() - draft.savedAt < DRAFT_MAX_AGE_MS) return draft;
    sessionStorage.removeItem(DRAFT_KEY);
  } catch (e) {
    // Storage disabled or a broken entry: nothing to restore.
  }
  return null;
}

function writeDraft(draft) {
  try {
    sessionStorage.setItem(DRAFT_KEY, JSON.stringify(draft));
  } catch (e) {
    // Storage full or disabled: the page still works, only the safety net is missing.
  }
}

function clearDraft() {
  try {
    sessionStorage.removeItem(DRAFT_KEY);
  } catch (e) {
    // nothing kept
  }
}

function keptForms() {
  return Array.from(document.querySelectorAll("main form")).filter((form) =>
    !form.hasAttribute("data-no-restore")
    && ((form.getAttribute("method") || "").toLowerCase() === "post" || form.hasAttribute("hx-post")));
}

function keptFields(form) {
  return Array.from(form.elements).filter((el) =>
    el.name && !el.disabled && el.name !== "csrfmiddlewaretoken" && !MANAGEMENT_FIELD.test(el.name)
    && !el.hasAttribute("data-no-restore")
    && !SKIPPED_TYPES.includes((el.type || "").toLowerCase())
    && (el.getAttribute("autocomplete") || "") !== "one-time-code");
}

// Keys that survive a re-render of the same form: the form's id (or position) and the field's name with its
// position among fields of that name (checkboxes and radios also by their value).
function fieldKeys(form) {
  const seen = {};
  return keptFields(form).map((el) => {
    const type = (el.type || "").toLowerCase();
    const base = type === "checkbox" || type === "radio" ? `${el.name}=${el.value}` : el.name;
    seen[base] = (seen[base] || 0) + 1;
    return [`${base}#${seen[base]}`, el];
  });
}

function formKey(form, index) {
  return form.id || `form-${index}`;
}

function collectForms() {
  const forms = {};
  keptForms().forEach((form, index) => {
    // Only what the user changed, so a restore leaves the rest as the server now has it; and the hidden
    // fields as they were (e.g. a record's version), so an edit made meanwhile by someone else is still
    // detected as a conflict when the restored form is saved.
    const values = {};
    for (const [key, el] of fieldKeys(form)) {
      const type = (el.type || "").toLowerCase();
      if (type === "hidden") values[key] = el.value;
      else if (type === "checkbox" || type === "radio") {
        if (el.checked !== el.defaultChecked) values[key] = el.checked;
      } else if (el.options) {
        if (Array.from(el.options).some((o) => o.selected !== o.defaultSelected)) {
          values[key] = Array.from(el.selectedOptions).map((o) => o.value);
        }
      } else if (el.value !== el.defaultValue) values[key] = el.value;
    }
    forms[formKey(form, index)] = values;
  });
  return forms;
}

function restoreForms(saved) {
  let restored = 0;
  keptForms().forEach((form, index) => {
    const values = saved[formKey(form, index)];
    if (!values) return;
    for (const [key, el] of fieldKeys(form)) {
      if (!(key in values)) continue;
      const type = (el.type || "").toLowerCase();
      const value = values[key];
      let changed = false;
      if (type === "checkbox" || type === "radio") {
        changed = el.checked !== value;
        el.checked = value;
      } else if (el.options) {
        for (const option of el.options) {
          const selected = value.includes(option.value);
          changed = changed || option.selected !== selected;
          option.selected = selected;
        }
      } else {
        changed = el.value !== value;
        el.value = value;
      }
      if (changed && type !== "hidden") {
        restored += 1;
        // Live totals and previews (htmx) follow the restored values as if they had been typed.
        el.dispatchEvent(new Event("input", { bubbles: true }));
        el.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }
  });
  return restored;
}

function markDraftExpired() {
  const draft = readDraft();
  if (draft && draft.state !== "expired") {
    draft.state = "expired";
    writeDraft(draft);
  }
}

function setUpDrafts(body) {
  const signedIn = body.dataset.sessionExpiresIn !== undefined;
  const draft = readDraft();
  if (!signedIn) {
    // Signed out (a submit or a link that ended on the sign-in page): keep what was typed for after sign-in.
    // Nothing is saved here: the sign-in form itself is never kept.
    markDraftExpired();
    return;
  }
  if (draft && draft.state === "expired" && draft.url === pageUrl() && draft.user === body.dataset.sessionUser) {
    clearDraft();
    if (restoreForms(draft.forms) > 0) {
      const notice = document.getElementById("draft-restored");
      if (notice) notice.hidden = false;
    }
  } else if (draft && (draft.state !== "expired" || draft.user !== body.dataset.sessionUser)) {
    clearDraft();  // it was sent while signed in (the server re-renders what it needs), or left unsent
  }
  const save = (event) => {
    const form = event.target.form || event.target.closest("form");
    if (!form || !keptForms().includes(form)) return;
    writeDraft({ url: pageUrl(), user: body.dataset.sessionUser, state: "typing", savedAt: Date.now(),
                 forms: collectForms() });
  };
  document.addEventListener("input", save);
  document.addEventListener("change", save);
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.hasAttribute("data-sign-out")) {
      clearDraft();  // signing out on purpose: nothing to bring back
      return;
    }
    const current = readDraft();
    if (current && keptForms().includes(form)) {
      current.state = "submitted";
      writeDraft(current);
    }
  });
}

function setUpSessionTimer(body) {
  const dialog = document.getElementById("session-dialog");
  if (body.dataset.sessionExpiresIn === undefined || !dialog || typeof dialog.showModal !== "function") return;
  const number = (name) => parseInt(body.dataset[name], 10) * 1000;
  const warnMs = number("sessionWarn");
  const idleMs = number("sessionIdle");
  let deadline = Date.now() + number("sessionExpiresIn");
  let end = Date.now() + number("sessionEndsIn");
  let state = "quiet";  // quiet | warning | dismissed | expired
  let returnFocus = null;
  const title = document.getElementById("session-dialog-title");
  const text = document.getElementById("session-dialog-text");
  const stay = dialog.querySelector("[data-session-stay]");
  const signIn = dialog.querySelector("[data-session-login]");
  const close = dialog.querySelector("[data-session-close]");

  const share = () => {
    try { localStorage.setItem(DEADLINE_KEY, String(deadline)); } catch (e) { /* this tab only */ }
  };
  const shared = () => {
    try { return parseInt(localStorage.getItem(DEADLINE_KEY) || "0", 10) || 0; } catch (e) { return 0; }
  };
  share();  // the server's figure, just read with the page, is the best there is

  const clock = (ms) => new Date(ms).toLocaleTimeString(document.documentElement.lang || undefined,
                                                        { hour: "2-digit", minute: "2-digit" });
  const open = () => {
    if (!dialog.open) {
      returnFocus = document.activeElement;
      dialog.showModal();
    }
  };
  const showWarning = () => {
    state = "warning";
    const final = end - deadline < 1000;  // the absolute limit: staying signed in cannot help
    title.textContent = title.dataset.warning;
    text.textContent = (final ? text.dataset.final : text.dataset.warning).replace("{time}", clock(deadline));
    stay.hidden = final;
    signIn.hidden = true;
    open();
    (final ? close : stay).focus();
  };
  const showExpired = () => {
    state = "expired";
    markDraftExpired();
    title.textContent = title.dataset.expired;
    text.textContent = text.dataset.expired;
    stay.hidden = true;
    signIn.hidden = false;
    signIn.href = `${body.dataset.loginUrl}?next=${encodeURIComponent(pageUrl())}`;
    open();
    signIn.focus();
  };
  const quiet = () => {
    state = "quiet";
    if (dialog.open) dialog.close();
  };
  dialog.addEventListener("close", () => {
    if (state === "warning") state = "dismissed";
    if (returnFocus && returnFocus.focus) returnFocus.focus();
    returnFocus = null;
  });
  close.addEventListener("click", () => dialog.close());
  stay.addEventListener("click", async () => {
    let response = null;
    try {
      const csrf = JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
      response = await fetch(body.dataset.keepAliveUrl, {
        method: "POST", credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, Accept: "application/json" },
      });
    } catch (e) {
      return;  // offline for a moment: the dialog stays, the button can be pressed again
    }
    if (!response.ok) {
      showExpired();
      return;
    }
    const left = await response.json();
    deadline = Date.now() + left.expires_in * 1000;
    end = Date.now() + left.ends_in * 1000;
    share();
    quiet();
  });
  // Any request of this page (htmx) counts as activity on the server, which notes it at most once a minute.
  document.addEventListener("htmx:afterRequest", (event) => {
    if (!event.detail.successful || state === "expired") return;
    deadline = Math.min(end, Math.max(deadline, Date.now() + idleMs - 60 * 1000));
    share();
  });

  const tick = () => {
    if (state === "expired") return;
    // Another tab may have extended the session (activity or "Stay signed in").
    deadline = Math.min(end, Math.max(deadline, shared()));
    const left = deadline - Date.now();
    if (left <= -EXPIRY_GRACE_MS) showExpired();
    else if (left <= warnMs && state === "quiet") showWarning();
    else if (left > warnMs && (state === "warning" || state === "dismissed")) quiet();
  };
  setInterval(tick, 1000);
  tick();
}

document.addEventListener("DOMContentLoaded", () => {
  setUpDrafts(document.body);
  setUpSessionTimer(document.body);
});

// Saved views of the project list: the filters change the address through htmx without reloading the page,
// so the view saved is the one in the address bar at the moment of saving, not the one the page loaded with.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.classList.contains("saved-view-form")) return;
  const query = form.querySelector("input[name=query]");
  if (query) query.value = window.location.search.replace(/^\?/, "");
});
