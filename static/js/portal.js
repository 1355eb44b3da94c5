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
