// Progressive enhancement for the compose page: filter the recipient list as the user types.
// The page works without it (the search field is a GET form filtered on the server).
'use strict';
document.addEventListener('DOMContentLoaded', function () {
  var input = document.querySelector('input[data-filter]');
  if (!input) return;
  var list = document.getElementById(input.getAttribute('data-filter'));
  if (!list) return;
  var items = list.querySelectorAll('li[data-search]');
  input.addEventListener('input', function () {
    var q = input.value.trim().toLocaleLowerCase('ru');
    for (var i = 0; i < items.length; i += 1) {
      var li = items[i];
      var checked = li.querySelector('input:checked') !== null;
      li.hidden = q !== '' && !checked && li.getAttribute('data-search').indexOf(q) < 0;
    }
  });
});
