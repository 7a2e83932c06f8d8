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
    button.textContent = "Working…";
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
