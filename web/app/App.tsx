/** The layout: header with the key fingerprint, navigation built from the catalog, and the page. */

import { type ReactNode, useEffect, useRef } from 'react';
import { COMPUTATIONS } from '../../shared/computations/catalog.js';
import { ComputationPage } from '../features/computation/ComputationPage.js';
import { HistoryPage } from '../features/history/HistoryPage.js';
import { HomePage } from '../features/home/HomePage.js';
import { KeyBadge } from '../features/keys/KeyBadge.js';
import { KeysPage } from '../features/keys/KeysPage.js';
import { type KeyringState, useKeyring } from '../features/keys/useKeyring.js';
import {
  computationPath,
  followLink,
  HISTORY_PATH,
  HOME_PATH,
  KEYS_PATH,
  type Route,
  routeOf,
  usePathname,
} from './navigation.js';
import './controls.css';

const NAV_LINKS: readonly { readonly path: string; readonly label: string }[] = [
  { path: HOME_PATH, label: 'How it works' },
  ...COMPUTATIONS.map((computation) => ({ path: computationPath(computation), label: computation.title })),
  { path: HISTORY_PATH, label: 'History' },
  { path: KEYS_PATH, label: 'Keys' },
];

function pageOf(route: Route, keys: KeyringState): { title: string; content: ReactNode } {
  switch (route.page) {
    case 'home':
      return { title: 'Health scores on encrypted values', content: <HomePage /> };
    case 'keys':
      return { title: 'Your keys', content: <KeysPage keys={keys} /> };
    case 'history':
      return { title: 'Your history', content: <HistoryPage keys={keys} /> };
    case 'computation':
      return {
        title: route.computation.title,
        content: <ComputationPage key={route.computation.id} computation={route.computation} />,
      };
    case 'not-found':
      return {
        title: 'Page not found',
        content: <p className="lead">Choose a page from the navigation above.</p>,
      };
  }
}

export function App() {
  const pathname = usePathname();
  const keys = useKeyring();
  const { title, content } = pageOf(routeOf(pathname), keys);
  const heading = useRef<HTMLHeadingElement>(null);
  const firstRender = useRef(true);

  useEffect(() => {
    document.title = `${title} · Sealed Vitals`;
    // After an in-app navigation, move focus to the new page's heading as a page load would.
    if (firstRender.current) firstRender.current = false;
    else heading.current?.focus();
  }, [title]);

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <p className="brand">Sealed Vitals</p>
        <KeyBadge keys={keys} />
      </header>
      <nav className="site-nav" aria-label="Main">
        <ul>
          {NAV_LINKS.map((link) => (
            <li key={link.path}>
              <a
                href={link.path}
                aria-current={link.path === pathname ? 'page' : undefined}
                onClick={followLink}
              >
                {link.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="site-main">
        <h1 ref={heading} tabIndex={-1}>
          {title}
        </h1>
        {content}
      </main>
      <footer className="site-footer">
        <p>
          Sealed Vitals gives general information, not a diagnosis. Your values and keys never leave this
          browser unencrypted.
        </p>
      </footer>
    </div>
  );
}
