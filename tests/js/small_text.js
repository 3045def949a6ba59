// Visible text under the selector set in a font smaller than minPx (computed font-size of
// each text node's element, HTML and SVG alike): [{text, size, element}], empty when none.
([selector, minPx]) => {
  const out = [];
  for (const root of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!node.textContent.trim() || !el || el.closest('title, style, script')) continue;
      const style = getComputedStyle(el);
      if (style.display === 'none' || style.visibility === 'hidden') continue;
      const size = parseFloat(style.fontSize);
      if (size < minPx - 0.01) {
        const cls = el.getAttribute('class') || '';
        out.push({text: node.textContent.trim().slice(0, 40), size, element: el.tagName.toLowerCase() + (cls ? '.' + cls.split(' ')[0] : '')});
      }
    }
  }
  return out;
}
