// For every visible text node under the selector: where the browser broke a line, and
// whether that break falls on a word boundary of Intl.Segmenter (ICU's dictionary word
// segmentation, which knows Japanese) or after a space, hyphen, slash or punctuation.
(selector) => {
  const out = [];
  const seg = new Intl.Segmenter(document.documentElement.lang || 'ja', {granularity: 'word'});
  for (const root of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent;
      if (!text.trim() || !node.parentElement || !node.parentElement.offsetParent) continue;
      const bounds = new Set([0, text.length]);
      for (const s of seg.segment(text)) { bounds.add(s.index); bounds.add(s.index + s.segment.length); }
      const range = document.createRange();
      let lastTop = null;
      for (let i = 0; i < text.length; i++) {
        if (/\s/.test(text[i])) continue;
        range.setStart(node, i); range.setEnd(node, i + 1);
        const rect = range.getClientRects()[0];
        if (!rect) continue;
        if (lastTop !== null && rect.top > lastTop + rect.height / 2) {
          const prev = text.slice(0, i).trimEnd();
          const ok = bounds.has(i) || /[\s\-\/・、。，,]$/.test(prev) || /\s/.test(text[i - 1] || '');
          if (!ok) out.push({text: text.trim().slice(0, 60), at: i, before: text.slice(Math.max(0, i - 6), i), after: text.slice(i, i + 6)});
        }
        lastTop = rect.top;
      }
    }
  }
  return out;
}
