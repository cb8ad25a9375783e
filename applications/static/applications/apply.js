// Applicant pages: move focus to the error summary, and show only the communities of the chosen street.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
  var street = document.querySelector("select[data-street-select]");
  var community = document.querySelector("select[data-community-select]");
  if (street && community) {
    var filter = function () {
      var groups = community.querySelectorAll("optgroup[data-street]");
      for (var i = 0; i < groups.length; i++) {
        var keep = !street.value || groups[i].getAttribute("data-street") === street.value;
        groups[i].hidden = !keep;
        groups[i].disabled = !keep;
      }
      var chosen = community.options[community.selectedIndex];
      if (chosen && chosen.parentNode.disabled) { community.value = ""; }
    };
    street.addEventListener("change", filter);
    filter();
  }
  // A second click on a submit button while the page is sending does nothing.
  var forms = document.querySelectorAll("form[data-once]");
  for (var j = 0; j < forms.length; j++) {
    forms[j].addEventListener("submit", function (event) {
      if (this.getAttribute("data-sent")) { event.preventDefault(); return; }
      this.setAttribute("data-sent", "1");
    });
  }
})();
