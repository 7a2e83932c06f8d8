// Django's two-box selector (filter_horizontal: a role's permissions, a user's groups) draws its
// search icons as spans with an aria-label and no role, which ARIA does not allow (axe's
// aria-prohibited-attr). As images they may carry the label. The selector draws itself on the
// window's load, whose listener it added before this deferred script ran, so this runs after it.
window.addEventListener("load", () => {
  document.querySelectorAll(".help-tooltip[aria-label]:not([role])").forEach((icon) => icon.setAttribute("role", "img"));
});
