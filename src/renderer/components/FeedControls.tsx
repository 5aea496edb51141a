// The feed strip in the status bar: the simulated feed's speed, pause/resume, and for a replay a
// jump forward to a date. Each control asks the engine and applies its answer; a refusal (a
// real-time feed cannot be paced, a replay cannot seek back) arrives as a notice from the engine client.
import { useEffect, useState } from 'react';
import { useCockpit, useSession } from '../store/context';
import { sessionSelectors } from '../store/session/selectors';
import { subscribeSlice } from '../store/transient';
import { nyDate } from './nyTime';

/** Simulated minutes per real minute the select offers. */
export const FEED_SPEEDS: readonly number[] = [1, 10, 60, 600, 6000];

export const formatSpeed = (speed: number): string => `${speed.toLocaleString('en-US')}×`;

function SeekControl({ busy, run }: { busy: boolean; run: (action: () => Promise<void>) => void }) {
  const { engine, stores } = useCockpit();
  // Starts at the replay's current day, read once: the trader edits it from there.
  const [date, setDate] = useState(() => {
    const now = stores.session.getState().now;
    return now === null ? '' : nyDate(now);
  });
  const known = date !== '';
  useEffect(() => {
    // The feed list can answer before the clock does; the first tick fills the date in, once.
    if (known) return;
    let off = (): void => {};
    off = subscribeSlice(stores.session, sessionSelectors.now, (now) => {
      if (now === null) return;
      setDate((d) => (d === '' ? nyDate(now) : d));
      off();
    });
    return () => off();
  }, [known, stores.session]);
  const seek = (): void =>
    run(async () => {
      const result = await engine.call('feed.seek', { date });
      // The answer is the replay's new clock; ticks follow from there.
      if (result.ok) stores.session.getState().clockTicked(result.data.now);
    });
  return (
    <>
      <input
        type="date"
        className="feed-seek-date"
        data-testid="feed-seek-date"
        aria-label="Replay date to jump to"
        value={date}
        onChange={(e) => setDate(e.target.value)}
      />
      <button type="button" data-testid="feed-seek" disabled={busy || date === ''} onClick={seek} title="Jump the replay forward to the first session on or after this date">
        Go
      </button>
    </>
  );
}

export function FeedControls() {
  const { engine, stores } = useCockpit();
  const speed = useSession(sessionSelectors.feedSpeed);
  const paused = useSession(sessionSelectors.feedPaused);
  const isReplay = useSession(sessionSelectors.isReplay);
  const connection = useSession(sessionSelectors.connection);
  const [busy, setBusy] = useState(false);

  const run = (action: () => Promise<void>): void => {
    setBusy(true);
    void action().finally(() => setBusy(false));
  };

  const setSpeed = (next: number): void =>
    run(async () => {
      const result = await engine.call('feed.setSpeed', { speed: next });
      if (result.ok) stores.session.getState().feedSpeedChanged(result.data.speed);
    });

  const togglePause = (): void =>
    run(async () => {
      const result = paused ? await engine.call('feed.resume', {}) : await engine.call('feed.pause', {});
      if (result.ok) stores.session.getState().feedPausedChanged(result.data.paused);
    });

  const disabled = busy || connection !== 'open';
  // The engine may run at a speed the list does not offer (a start flag); it is shown as it is.
  const speeds = speed === null || FEED_SPEEDS.includes(speed) ? FEED_SPEEDS : [...FEED_SPEEDS, speed].sort((a, b) => a - b);

  return (
    <span className="status-item feed-controls" data-testid="feed-controls" data-speed={speed ?? ''} data-paused={paused}>
      <select
        data-testid="feed-speed"
        aria-label="Feed speed (simulated minutes per real minute)"
        title="Feed speed: simulated minutes per real minute"
        value={speed === null ? '' : String(speed)}
        disabled={disabled || speed === null}
        onChange={(e) => setSpeed(Number(e.target.value))}
      >
        {speed === null && <option value="">…×</option>}
        {speeds.map((s) => (
          <option key={s} value={String(s)}>
            {formatSpeed(s)}
          </option>
        ))}
      </select>
      <button type="button" data-testid="feed-pause" disabled={disabled} onClick={togglePause} aria-pressed={paused}>
        {paused ? 'Resume' : 'Pause'}
      </button>
      {isReplay && <SeekControl busy={disabled} run={run} />}
    </span>
  );
}
