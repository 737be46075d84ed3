// Filter the report cards by the words typed into the search box (all words must match).
(function () {
  var box = document.getElementById("search");
  var form = document.getElementById("search-form");
  var status = document.getElementById("search-status");
  var cards = Array.prototype.slice.call(document.querySelectorAll(".card"));
  if (!box || !form) { return; }
  form.hidden = false;
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  function apply() {
    var words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    cards.forEach(function (card) {
      var text = card.textContent.toLowerCase();
      var hit = words.every(function (w) { return text.indexOf(w) !== -1; });
      card.hidden = !hit;
      if (hit) { shown += 1; }
    });
    status.textContent = words.length ? shown + " of " + cards.length + " reports match" : "";
  }
  box.addEventListener("input", apply);
  apply();
})();
