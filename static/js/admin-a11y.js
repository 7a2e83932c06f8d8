// Django's two-box selector (filter_horizontal: a role's permissions, a user's groups) draws its
// search icons as spans with an aria-label and no role, which ARIA does not allow (axe's
// aria-prohibited-attr). As images they may carry the label. The selector draws itself on the
// window's load, whose listener it added before this deferred script ran, so this runs after it.
window.addEventListener("load", () => {
  document.querySelectorAll(".help-tooltip[aria-label]:not([role])").forEach((icon) => icon.setAttribute("role", "img"));
});

// A table that scrolls inside its own box (a phone, admin.css) is reached by the keyboard too:
// focusable, so the arrow keys scroll it (axe's scrollable-region-focusable), and named by its
// caption for whoever lands on it. Checked again when the window's width changes.
function tablesScrollableByKeyboard() {
  document.querySelectorAll("#content table:not(#result_list), #changelist .results").forEach((box) => {
    if (box.scrollWidth > box.clientWidth) {
      box.setAttribute("tabindex", "0");
    } else {
      box.removeAttribute("tabindex");
    }
  });
}
window.addEventListener("load", tablesScrollableByKeyboard);
window.addEventListener("resize", tablesScrollableByKeyboard);

// Django's search box labels its icon alt="Search" in every language (a word its template does not
// translate); the button beside it says the same word in the page's language.
document.querySelectorAll("#changelist-search").forEach((form) => {
  const icon = form.querySelector("label[for=searchbar] img");
  const button = form.querySelector("input[type=submit]");
  if (icon && button) icon.alt = button.value;
});
