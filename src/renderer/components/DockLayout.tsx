// The dockable layout. dockview 8's `dockview` package is the framework-free core (the React
// binding moved to a separate `dockview-react` package, not installed), so panels are mounted here
// with React portals into the elements dockview creates. Portals keep panels inside this React tree,
// so they see the cockpit context like any other component.
import { createDockview, themeDark, type IContentRenderer } from 'dockview';
import 'dockview/dist/styles/dockview.css';
import { useEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import type { PanelDefinition } from '../panels/registry';

interface MountedPanel {
  /** Unique per mount: a panel closed and reopened gets a fresh React subtree. */
  key: string;
  /** The registry entry that renders it. */
  name: string;
  element: HTMLElement;
}

export function DockLayout({ panels }: { panels: Readonly<Record<string, PanelDefinition>> }) {
  const hostRef = useRef<HTMLDivElement>(null);
  const [mounted, setMounted] = useState<readonly MountedPanel[]>([]);

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    let sequence = 0;
    const dock = createDockview(host, {
      theme: themeDark,
      createComponent: ({ id, name }): IContentRenderer => {
        const element = document.createElement('div');
        element.className = 'dock-panel-content';
        const key = `${id}#${++sequence}`;
        return {
          element,
          init: () => setMounted((list) => [...list, { key, name, element }]),
          dispose: () => setMounted((list) => list.filter((p) => p.key !== key)),
        };
      },
    });
    for (const [id, def] of Object.entries(panels)) {
      dock.addPanel({
        id,
        component: id,
        title: def.title,
        ...(def.placement ? { position: def.placement } : {}),
        ...(def.initialWidth !== undefined ? { initialWidth: def.initialWidth } : {}),
        ...(def.initialHeight !== undefined ? { initialHeight: def.initialHeight } : {}),
        ...(def.inactive ? { inactive: true } : {}),
      });
    }
    return () => dock.dispose();
  }, [panels]);

  return (
    <>
      <div ref={hostRef} className="dock-host" data-testid="dock" />
      {mounted.map((p) => {
        const Panel = panels[p.name]?.component;
        return Panel ? createPortal(<Panel />, p.element, p.key) : null;
      })}
    </>
  );
}
