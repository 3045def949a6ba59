// In print media at the page's printable width: how wide the document and the journey map
// are, the cells whose content sticks out of them, and the bullets that sit outside their cell.
() => {
  const table = document.querySelector('table.map');
  const spill = [];
  for (const cell of table.querySelectorAll('th, td')) {
    if (cell.scrollWidth > cell.clientWidth + 1) spill.push(cell.textContent.trim().slice(0, 40));
  }
  const outside = [];
  for (const li of table.querySelectorAll('ul.bullets > li')) {
    const cell = li.closest('td, th');
    const room = li.getBoundingClientRect().left - cell.getBoundingClientRect().left;
    if (room < parseFloat(getComputedStyle(li).fontSize) * 0.9) outside.push(li.textContent.trim().slice(0, 40));
  }
  return {
    document: document.documentElement.scrollWidth,
    table: table.getBoundingClientRect().right,
    columns: table.querySelectorAll('thead th.stage-head').length,
    spill, outside,
  };
}
