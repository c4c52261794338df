/**
 * The main navigation, one short row at any width: the calculators behind one "Calculators" button
 * (a disclosure, the pattern WAI-ARIA recommends for site navigation, not an application menu), then
 * History, Keys and How it works. The calculators are listed in groups, so a catalog that grows (an
 * operator's own models) adds a group rather than a row of links.
 */

import { type FocusEvent, type MouseEvent, useEffect, useId, useRef, useState } from 'react';
import type { Computation } from '../../shared/computations/computation.js';
import { computationPath, followLink, HISTORY_PATH, HOW_IT_WORKS_PATH, KEYS_PATH } from './navigation.js';

export interface CalculatorGroup {
  readonly label: string;
  readonly computations: readonly Computation[];
}

const PAGE_LINKS: readonly { readonly path: string; readonly label: string }[] = [
  { path: HISTORY_PATH, label: 'History' },
  { path: KEYS_PATH, label: 'Keys' },
  { path: HOW_IT_WORKS_PATH, label: 'How it works' },
];

export function SiteNav({ pathname, groups }: { pathname: string; groups: readonly CalculatorGroup[] }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const panelId = useId();
  const onCalculator = groups.some((group) =>
    group.computations.some((computation) => computationPath(computation) === pathname),
  );

  // Any navigation (a link here, Back, a link elsewhere on the page) closes the list.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on each new path on purpose.
  useEffect(() => setOpen(false), [pathname]);

  useEffect(() => {
    if (!open) return;
    const closeOnEscape = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setOpen(false);
      button.current?.focus();
    };
    const closeOnOutsideClick = (event: PointerEvent) => {
      if (!(event.target instanceof Node) || !button.current?.parentElement?.contains(event.target))
        setOpen(false);
    };
    document.addEventListener('keydown', closeOnEscape);
    document.addEventListener('pointerdown', closeOnOutsideClick);
    return () => {
      document.removeEventListener('keydown', closeOnEscape);
      document.removeEventListener('pointerdown', closeOnOutsideClick);
    };
  }, [open]);

  /** Tabbing past the list closes it, so it never covers the page being read. */
  function closeWhenFocusLeaves(event: FocusEvent<HTMLLIElement>) {
    if (!(event.relatedTarget instanceof Node) || !event.currentTarget.contains(event.relatedTarget))
      setOpen(false);
  }

  function follow(event: MouseEvent<HTMLAnchorElement>) {
    setOpen(false);
    followLink(event);
  }

  return (
    <nav className="site-nav" aria-label="Main">
      <ul className="site-nav-list">
        <li className="site-nav-calculators" onBlur={closeWhenFocusLeaves}>
          <button
            ref={button}
            type="button"
            className="site-nav-toggle"
            aria-expanded={open}
            aria-controls={panelId}
            data-current={onCalculator ? 'true' : undefined}
            onClick={() => setOpen((wasOpen) => !wasOpen)}
          >
            Calculators
          </button>
          <div id={panelId} className="site-nav-panel" hidden={!open}>
            {groups.map((group, index) => (
              <div key={group.label} className="site-nav-group">
                <p className="site-nav-group-label" id={`${panelId}-group-${index}`}>
                  {group.label}
                </p>
                <ul aria-labelledby={`${panelId}-group-${index}`}>
                  {group.computations.map((computation) => {
                    const path = computationPath(computation);
                    return (
                      <li key={computation.id}>
                        <a href={path} aria-current={path === pathname ? 'page' : undefined} onClick={follow}>
                          {computation.title}
                        </a>
                      </li>
                    );
                  })}
                </ul>
              </div>
            ))}
          </div>
        </li>
        {PAGE_LINKS.map((link) => (
          <li key={link.path}>
            <a
              className="site-nav-link"
              href={link.path}
              aria-current={link.path === pathname ? 'page' : undefined}
              onClick={follow}
            >
              {link.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
