// The export dialog's "全选" box (templates/admin/import_export/export.html): bound here, since the
// Content-Security-Policy runs no inline onchange="…". onSelectToggleChange comes from
// import_export/export_selectable_fields.js, loaded with the form.
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.getElementById("select-all-toggle");
  if (toggle && typeof onSelectToggleChange === "function") {
    toggle.addEventListener("change", onSelectToggleChange);
  }
});
