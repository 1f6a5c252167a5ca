// The admin site's additions (loaded, deferred, by templates/admin/base_site.html).
//
// Django's filter_horizontal script (admin/js/SelectFilter2.js) draws, in each filter box's <label>, an empty <span>
// with an aria-label: ARIA does not allow a name on a plain span (axe-core: aria-prohibited-attr), so the filter box
// had no name from it. As an image, the span may carry that name, and the label gives it to the filter box.
// SelectFilter2.js draws on the window's load event; this deferred script adds its listener after that one.
"use strict";

function nameFilterIcons() {
  for (const $icon of document.querySelectorAll("span.search-label-icon[aria-label]:not([role])")) {
    $icon.setAttribute("role", "img");
  }
}

window.addEventListener("load", nameFilterIcons);
