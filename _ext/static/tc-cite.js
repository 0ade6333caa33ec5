// The Treasury Card: one-click copy of a figure's or table's citation line (no network, no library).
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest(".tc-cite-copy") : null;
  if (!button) return;
  var text = button.getAttribute("data-cite");
  function done(ok) {
    button.textContent = ok ? "Copied" : "Select and copy the text";
    button.setAttribute("data-copied", ok ? "yes" : "no");
    setTimeout(function () { button.textContent = "Copy citation"; }, 2000);
  }
  if (navigator.clipboard && navigator.clipboard.writeText) {
    navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(fallback(text)); });
  } else {
    done(fallback(text));
  }
  function fallback(t) {  // file:// pages and older browsers: a hidden textarea and execCommand
    var area = document.createElement("textarea");
    area.value = t; area.setAttribute("readonly", ""); area.style.position = "absolute"; area.style.left = "-9999px";
    document.body.appendChild(area); area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }
});
