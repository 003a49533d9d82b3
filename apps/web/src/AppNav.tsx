import type { MouseEvent } from 'react';
import { pathOf, type Route, type RouteControls } from './use-route';

const SECTIONS = [
  { label: 'Photos', route: { view: 'photos', photoId: null }, testId: 'nav-photos' },
  { label: 'Albums', route: { view: 'albums' }, testId: 'nav-albums' },
  { label: 'Shared with me', route: { view: 'shared' }, testId: 'nav-shared' },
] as const satisfies readonly { label: string; route: Route; testId: string }[];

/** Which section a route belongs to; an album is under Albums unless it is shared with me. */
function sectionOf(route: Route, inShared: boolean): Route['view'] {
  if (route.view === 'album') return inShared ? 'shared' : 'albums';
  if (route.view === 'unknown') return 'photos';
  return route.view;
}

/** The app's sections as real links (open in a new tab, copy), followed in-page with pushState. */
export function AppNav({ route, navigate, inShared }: Pick<RouteControls, 'route' | 'navigate'> & { inShared: boolean }) {
  const current = sectionOf(route, inShared);
  const follow = (event: MouseEvent<HTMLAnchorElement>, to: Route) => {
    // Let the browser handle new-tab / new-window clicks.
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <nav className="app-nav" aria-label="Sections">
      {SECTIONS.map((section) => (
        <a
          key={section.testId}
          href={pathOf(section.route)}
          aria-current={current === section.route.view ? 'page' : undefined}
          onClick={(event) => follow(event, section.route)}
          data-testid={section.testId}
        >
          {section.label}
        </a>
      ))}
    </nav>
  );
}
