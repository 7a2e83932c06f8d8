// A form marked data-once disables its submit button after the first submit, so a double click
// sends one request. The server does not rely on this: the form's one-time key makes a repeated
// submit return the same order.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches("form[data-once]")) return;
  if (form.dataset.submitted) {
    event.preventDefault();
    return;
  }
  form.dataset.submitted = "true";
  form.querySelectorAll("button[type=submit]").forEach((button) => {
    button.setAttribute("aria-disabled", "true");
    // The page's own language: base.html carries the words (data-working-text).
    button.textContent = document.body.dataset.workingText || "…";
  });
});

// Empty filters stay out of the URL, so a shared or bookmarked catalog link reads cleanly.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.getAttribute("role") !== "search") return;
  form.querySelectorAll("input[type=search], select").forEach((field) => {
    if (!field.value) field.disabled = true;
  });
});
// Coming back with the browser's Back button restores the page as it was left: enable them again.
window.addEventListener("pageshow", () => {
  document.querySelectorAll("form[role=search] [disabled]").forEach((field) => {
    field.disabled = false;
  });
});

// Scripts run: the page may rely on them (e.g. filters that apply as they change).
document.documentElement.classList.add("js");

// Catalog filters apply as soon as one changes; the Apply button stays for browsers without
// JavaScript (and hides with it).
document.addEventListener("change", (event) => {
  const form = event.target.closest("form[data-apply-on-change]");
  if (!form || event.target.type === "search") return;
  form.requestSubmit();
});

// On a phone the filters beyond search fold behind one button; wider, they are always shown.
const foldQuery = window.matchMedia("(max-width: 759px)");
function foldFilters() {
  document.querySelectorAll("details[data-fold-on-phone]").forEach((details) => {
    details.open = !foldQuery.matches;
  });
}
foldQuery.addEventListener("change", foldFilters);
foldFilters();

// A voucher code copies with one tap. The button shows only where the clipboard can be written
// (a secure page), so it is never a button that does nothing.
document.querySelectorAll("button[data-copy]").forEach((button) => {
  if (!navigator.clipboard || !window.isSecureContext) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    const source = document.getElementById(button.dataset.copy);
    await navigator.clipboard.writeText(source.textContent.trim());
    button.textContent = document.body.dataset.copiedText || "✓";
  });
});
