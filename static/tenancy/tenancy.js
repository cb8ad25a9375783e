// The changes fields show only when "有变化" is chosen (the form works without script: all shown).
(function () {
  var box = document.querySelector("[data-changes]");
  if (!box) return;
  var radios = document.querySelectorAll("input[name=no_change]");
  function update() {
    var changed = document.querySelector("input[name=no_change]:checked");
    box.classList.toggle("shown", !!changed && changed.value === "0");
  }
  radios.forEach(function (r) { r.addEventListener("change", update); });
  box.classList.add("tenancy-changes");
  update();
})();
