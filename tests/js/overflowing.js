// Elements wider than the viewport that are not inside a horizontal scroll region.
() => {
          const vw = document.documentElement.clientWidth, out = [];
          const scrolls = (el) => { for (let a = el.parentElement; a; a = a.parentElement) {
              const o = getComputedStyle(a).overflowX; if (o === 'auto' || o === 'scroll') return true; }
            return false; };
          for (const el of document.body.querySelectorAll('*')) {
            const r = el.getBoundingClientRect();
            if (r.width === 0 || r.right <= vw + 1 || scrolls(el)) continue;
            out.push(el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ')[0] : ''));
          }
          return out.slice(0, 20);
        }
