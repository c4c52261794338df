/** The layout: header with the key fingerprint, navigation built from the catalog, and the page. */

import { lazy, type ReactNode, Suspense, useEffect, useRef } from 'react';
import { CODE_COMPUTATIONS } from '../../shared/computations/catalog.js';
import type { VaultState } from '../crypto/protocol.js';
import { recordResult } from '../features/history/store.js';
import { HomePage } from '../features/home/HomePage.js';
import { KeyBadge } from '../features/keys/KeyBadge.js';
import { unlockTitle } from '../features/keys/unlock-title.js';
import { type KeyringState, useKeyring } from '../features/keys/useKeyring.js';
import { useVault, type VaultView } from '../features/keys/useVault.js';
import { isSmartPath, smartPageTitle } from '../features/smart/paths.js';
import { ConnectionBanner } from './ConnectionBanner.js';
import { type Catalog, useCatalog } from './catalog.js';
import { followLink, HOME_PATH, type Route, routeOf, usePathname } from './navigation.js';
import { type CalculatorGroup, SiteNav } from './SiteNav.js';
import './controls.css';

// Every page but the start page is its own chunk, loaded when first opened (the service worker has
// them all cached for offline use: every file of the build is in the release, web/pwa/).
const ComputationPage = lazy(() =>
  import('../features/computation/ComputationPage.js').then((m) => ({ default: m.ComputationPage })),
);
const HistoryPage = lazy(() =>
  import('../features/history/HistoryPage.js').then((m) => ({ default: m.HistoryPage })),
);
const HowItWorksPage = lazy(() =>
  import('../features/home/HowItWorksPage.js').then((m) => ({ default: m.HowItWorksPage })),
);
const SmartLaunchPage = lazy(() =>
  import('../features/smart/SmartLaunchPage.js').then((m) => ({ default: m.SmartLaunchPage })),
);
const KeysPage = lazy(() => import('../features/keys/KeysPage.js').then((m) => ({ default: m.KeysPage })));
// The unlock screen too: the start page and How it works never need it.
const UnlockScreen = lazy(() =>
  import('../features/keys/UnlockScreen.js').then((m) => ({ default: m.UnlockScreen })),
);

/** Calculators written as code, then every model of the catalog (searchable on the start page). */
function calculatorGroups(catalog: Catalog): readonly CalculatorGroup[] {
  const code = new Set(CODE_COMPUTATIONS.map((c) => c.id));
  return [
    { label: 'Calculators', computations: catalog.computations.filter((c) => code.has(c.id)) },
    { label: 'Risk models', computations: catalog.computations.filter((c) => !code.has(c.id)) },
  ];
}

interface Protection {
  readonly vault: VaultView;
  adopt(state: VaultState): void;
  readonly catalog: Catalog;
}

/** Pages that need the keys (and show history) wait for the device to be set up and unlocked. */
function gatedPageOf(route: Route, keys: KeyringState, protection: Protection) {
  const { vault, adopt } = protection;
  const needsKeys = route.page === 'computation' || route.page === 'history' || route.page === 'keys';
  if (needsKeys && (vault.status === 'new' || vault.status === 'locked')) {
    return { title: unlockTitle(vault), content: <UnlockScreen vault={vault} adopt={adopt} /> };
  }
  return pageOf(route, keys, protection);
}

function pageOf(
  route: Route,
  keys: KeyringState,
  protection: Protection,
): { title: string; content: ReactNode } {
  switch (route.page) {
    case 'home':
      return {
        title: 'Health scores that keep your values private',
        content: <HomePage catalog={protection.catalog} />,
      };
    case 'loading':
      return {
        title: 'Loading the calculator…',
        content: <p className="lead">Checking the service’s catalog…</p>,
      };
    case 'how-it-works':
      return { title: 'How it works', content: <HowItWorksPage /> };
    case 'keys':
      return {
        title: 'Your keys',
        content: <KeysPage keys={keys} vault={protection.vault} adopt={protection.adopt} />,
      };
    case 'history':
      return { title: 'Your history', content: <HistoryPage keys={keys} /> };
    case 'computation':
      return {
        title: route.computation.title,
        content: (
          <ComputationPage key={route.computation.id} computation={route.computation} record={recordResult} />
        ),
      };
    case 'not-found':
      return {
        title: 'Page not found',
        content: (
          <p className="lead">
            There is no page at this address.{' '}
            <a href={HOME_PATH} onClick={followLink}>
              Go to the start page
            </a>{' '}
            to choose a calculator.
          </p>
        ),
      };
  }
}

export function App() {
  const pathname = usePathname();
  const { vault, adopt } = useVault();
  const keys = useKeyring(vault);
  const catalog = useCatalog();
  const { title, content } = isSmartPath(pathname)
    ? { title: smartPageTitle(pathname), content: <SmartLaunchPage pathname={pathname} /> }
    : gatedPageOf(routeOf(pathname, catalog.computations, catalog.loaded), keys, { vault, adopt, catalog });
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
        <a
          className="brand"
          href={HOME_PATH}
          aria-current={pathname === HOME_PATH ? 'page' : undefined}
          onClick={followLink}
        >
          Sealed Vitals<span className="visually-hidden"> home</span>
        </a>
        <KeyBadge keys={keys} />
      </header>
      <SiteNav pathname={pathname} groups={calculatorGroups(catalog)} />
      <ConnectionBanner />
      <main id="main" className="site-main">
        <h1 ref={heading} tabIndex={-1}>
          {title}
        </h1>
        <Suspense fallback={<p className="lead">Loading the page…</p>}>{content}</Suspense>
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
