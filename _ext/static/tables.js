/* The Treasury Card: a table wider than the page (a phone) is shown as one card per row, each cell labelled by
   its column header; the table itself is unchanged and the full table is in the CSV. Without scripts, a wide
   table scrolls inside its own box. */
(function () {
  "use strict";
  function headers(table) {
    var rows = table.tHead ? table.tHead.rows : [];
    if (!rows.length) return null;
    var last = rows[rows.length - 1], out = [];
    for (var i = 0; i < last.cells.length; i++) {
      var span = last.cells[i].colSpan || 1;
      for (var k = 0; k < span; k++) out.push(last.cells[i].textContent.trim());
    }
    return out;
  }
  function prepare(table) {
    var names = headers(table);
    if (!names) return false;
    var body = table.tBodies;
    for (var b = 0; b < body.length; b++) {
      for (var r = 0; r < body[b].rows.length; r++) {
        var cells = body[b].rows[r].cells;
        if (cells.length !== names.length) return false;
        for (var c = 0; c < cells.length; c++) cells[c].setAttribute("data-label", names[c]);
      }
    }
    return true;
  }
  function fit() {
    document.querySelectorAll("article table").forEach(function (table) {
      table.classList.remove("tc-stack");
      var box = table.parentElement;
      if (box && table.getBoundingClientRect().width > box.clientWidth + 1 && (table.tcReady || (table.tcReady = prepare(table)))) {
        table.classList.add("tc-stack");
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fit);
  else fit();
  var timer;
  window.addEventListener("resize", function () { clearTimeout(timer); timer = setTimeout(fit, 150); });
})();
