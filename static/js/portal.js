// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  // Submit the agreement and language selects on change for mouse users; the button stays for keyboards.
  for (const select of document.querySelectorAll(".agreement-switcher select, .language-menu select")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
});
