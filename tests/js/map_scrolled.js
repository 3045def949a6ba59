// Scroll the page to the journey map's scroll region, then the region down to its seller
// lanes (the seller divider right under the stage headers) and right to its last column;
// return where the region, the stage headers and the seller lane labels are on screen.
() => {
  const region = document.querySelector('#map');
  window.scrollTo(0, region.getBoundingClientRect().top + window.scrollY);
  const head = region.querySelector('thead');
  const divider = region.querySelector('tr.divider-seller');
  region.scrollTop = divider.offsetTop - head.offsetHeight;
  region.scrollLeft = region.scrollWidth;
  const box = (el) => { const r = el.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
  const inner = region.getBoundingClientRect();
  return {
    viewport: {width: document.documentElement.clientWidth, height: window.innerHeight},
    region: {...box(region), clientTop: inner.top + region.clientTop,
      clientLeft: inner.left + region.clientLeft,
      clientRight: inner.left + region.clientLeft + region.clientWidth,
      clientBottom: inner.top + region.clientTop + region.clientHeight,
      scrollTop: region.scrollTop, scrollLeft: region.scrollLeft},
    corner: box(region.querySelector('thead .corner')),
    heads: [...region.querySelectorAll('thead th.stage-head')].map(box),
    sellerLanes: [...region.querySelectorAll('tr.side-seller')].map((tr) => ({
      label: box(tr.querySelector('.lane-name')), row: box(tr),
      text: tr.querySelector('.lane-name').textContent.trim(),
      cells: [...tr.querySelectorAll('td')].map(box)})),
  };
}
