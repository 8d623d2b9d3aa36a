// Fills the passage field with text selected in the document, so an editor need not copy and
// paste it. The page works without this: a pasted passage is found the same way.
document.addEventListener("DOMContentLoaded", function () {
  var text = document.getElementById("source-text");
  var field = document.getElementById("id_passage");
  if (!text || !field || field.type === "hidden") return;
  document.addEventListener("selectionchange", function () {
    var selection = document.getSelection();
    if (!selection || selection.isCollapsed || !text.contains(selection.anchorNode)) return;
    var selected = selection.toString().trim();
    if (selected) field.value = selected;
  });
});
