/** An element's width in CSS pixels as it is laid out, following resizes (ResizeObserver). */

import { type RefObject, useEffect, useState } from 'react';

/**
 * `fallback` until the element is measured. Charts draw in these units, so their 12-px labels stay
 * 12 px on a 390-px phone instead of being scaled down with a wide viewBox.
 */
export function useWidth(element: RefObject<Element | null>, fallback: number): number {
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const target = element.current;
    if (!target) return;
    const observer = new ResizeObserver(([entry]) => {
      const measured = entry?.contentRect.width;
      if (measured) setWidth(Math.round(measured));
    });
    observer.observe(target);
    return () => observer.disconnect();
  }, [element]);
  return width;
}
