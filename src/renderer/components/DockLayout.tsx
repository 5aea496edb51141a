// The dockable layout. dockview 8's `dockview` package is the framework-free core (the React
// binding moved to a separate `dockview-react` package, not installed), so panels are mounted here
// with React portals into the elements dockview creates. Portals keep panels inside this React tree,
// so they see the cockpit context like any other component. A panel asked for from elsewhere (a menu
// command) is brought to the front here, and re-added first if the trader had closed it.
import { createDockview, themeDark, type DockviewApi, type IContentRenderer, type IDockviewPanel } from 'dockview';
import 'dockview/dist/styles/dockview.css';
import { useEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import type { PanelDefinition } from '../panels/registry';
import { useCockpit } from '../store/context';
import { subscribeSlice } from '../store/transient';
import { uiSelectors } from '../store/ui/selectors';

/** A panel brought to the front is given at least this much height (px), so a short tab group opens up. */
const MIN_FOCUSED_HEIGHT = 320;

interface MountedPanel {
  /** Unique per mount: a panel closed and reopened gets a fresh React subtree. */
  key: string;
  /** The registry entry that renders it. */
  name: string;
  element: HTMLElement;
}

function addPanel(dock: DockviewApi, id: string, def: PanelDefinition, inactive: boolean): IDockviewPanel {
  // The panel it was placed against may have been closed; then dockview picks a place.
  const placement = def.placement && dock.getPanel(def.placement.referencePanel) ? def.placement : undefined;
  return dock.addPanel({
    id,
    component: id,
    title: def.title,
    ...(placement ? { position: placement } : {}),
    ...(def.initialWidth !== undefined ? { initialWidth: def.initialWidth } : {}),
    ...(def.initialHeight !== undefined ? { initialHeight: def.initialHeight } : {}),
    ...(inactive ? { inactive: true } : {}),
  });
}

function focusPanel(dock: DockviewApi, host: HTMLElement, id: string, def: PanelDefinition | undefined): void {
  const panel = dock.getPanel(id) ?? (def ? addPanel(dock, id, def, false) : undefined);
  if (!panel) return;
  panel.api.setActive();
  const wanted = Math.min(MIN_FOCUSED_HEIGHT, Math.floor(host.clientHeight / 2));
  if (panel.api.height < wanted) panel.group.api.setSize({ height: wanted });
}

export function DockLayout({ panels }: { panels: Readonly<Record<string, PanelDefinition>> }) {
  const { stores } = useCockpit();
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
    for (const [id, def] of Object.entries(panels)) addPanel(dock, id, def, def.inactive === true);
    // Only requests made from now on: a remount must not pull a panel forward again.
    const stopFocus = subscribeSlice(
      stores.ui,
      uiSelectors.panelFocus,
      (request) => {
        if (request) focusPanel(dock, host, request.panel, panels[request.panel]);
      },
      { fireImmediately: false },
    );
    return () => {
      stopFocus();
      dock.dispose();
    };
  }, [panels, stores.ui]);

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
