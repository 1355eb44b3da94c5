// Small progressive enhancements; every page works without them.
// Wide tables scroll sideways in their wrapper; keyboard users must be able to focus the wrapper to scroll it
// (WCAG 2.1.1). The wrapper is named after the table's caption.
function makeScrollRegionsFocusable(root) {
  for (const wrapper of root.querySelectorAll(".table-responsive")) {
    if (wrapper.hasAttribute("tabindex")) continue;
    const caption = wrapper.querySelector("caption");
    wrapper.setAttribute("tabindex", "0");
    wrapper.setAttribute("role", "region");
    wrapper.setAttribute("aria-label", caption ? caption.textContent.trim() : document.title);
  }
}

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
