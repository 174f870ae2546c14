// Balise: keyboard shortcuts of the inbox (j / k move, o opens, ? shows the help). The
// page works without this script; it only adds shortcuts and the help dialog's button.
(function () {
  "use strict";
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-inbox-item]"));
  var dialog = document.getElementById("aide-clavier");
  var helpButton = document.getElementById("aide-clavier-bouton");
  var current = -1;

  function typing(target) {
    if (!target) { return false; }
    var name = target.tagName;
    return name === "INPUT" || name === "TEXTAREA" || name === "SELECT" || target.isContentEditable;
  }

  function select(index) {
    if (items.length === 0) { return; }
    if (index < 0) { index = 0; }
    if (index >= items.length) { index = items.length - 1; }
    if (current >= 0 && items[current]) { items[current].classList.remove("courant"); }
    current = index;
    var item = items[current];
    item.classList.add("courant");
    var link = item.querySelector("[data-open]");
    if (link) { link.focus(); }
    item.scrollIntoView({ block: "nearest" });
  }

  function toggleHelp() {
    if (!dialog || typeof dialog.showModal !== "function") { return; }
    if (dialog.open) { dialog.close(); } else { dialog.showModal(); }
  }

  if (helpButton && dialog && typeof dialog.showModal === "function") {
    helpButton.hidden = false;
    helpButton.addEventListener("click", toggleHelp);
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    if (event.key === "?") { event.preventDefault(); toggleHelp(); return; }
    if (dialog && dialog.open) { return; }
    if (event.key === "j") { event.preventDefault(); select(current + 1); }
    else if (event.key === "k") { event.preventDefault(); select(current - 1); }
    else if (event.key === "o" && current >= 0) {
      var link = items[current].querySelector("[data-open]");
      if (link) { event.preventDefault(); window.location.assign(link.href); }
    }
  });
}());
