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
