// The one calendar-aware scheduler: runs a task once per trading session at a moment anchored on that
// session's open or close (09:15 focus list, the flatten minutes before the close, the nightly retrain
// after it), following holidays, 13:00 closes and overrides the calendar learns, on the injected clock.
import { addDays, nyDateKey } from '../calendar/ny-time';
import type { CancelTimer, Clock } from './clock';

/** The part of a trading calendar the scheduler needs: a session's open and close, or null when closed. */
export interface SessionCalendar {
  session(date: string): { open: number; close: number } | null;
}

/** A moment of a session: its open or close, moved by `offsetMs` (negative = before). */
export interface SessionMoment {
  anchor: 'open' | 'close';
  offsetMs: number;
}

/** When `moment` falls in the session of New York day `date`, or null when that day has no session. */
export function sessionMomentOf(calendar: SessionCalendar, date: string, moment: SessionMoment): number | null {
  const s = calendar.session(date);
  return s ? s[moment.anchor] + moment.offsetMs : null;
}

/** When `moment` falls in the session of the New York day of `now`, or null on a closed day. */
export function todaysMoment(calendar: SessionCalendar, now: number, moment: SessionMoment): number | null {
  return sessionMomentOf(calendar, nyDateKey(now), moment);
}

export interface SessionTask {
  moment: SessionMoment;
  /** Runs once per session; a returned promise is awaited when `serial`. */
  run(sessionDate: string): void | Promise<void>;
  /**
   * One run at a time: a session that comes due while a run is still going runs after it (only the
   * newest such session; an older waiting one is reported superseded through `onError`).
   */
  serial?: boolean;
  /** Told when a run throws (or rejects), or when a waiting session was superseded. */
  onError?(sessionDate: string, error: unknown): void;
}

/** How far ahead a session is looked for before the calendar is judged broken. */
const HORIZON_DAYS = 60;

/**
 * One task on the session schedule. One timer at a time: it re-arms for the next session as it fires,
 * so a session never runs twice, and a restart of the timer (a calendar change) never runs a session
 * that already ran.
 */
export class SessionJob {
  private cancel: CancelTimer | null = null;
  private lastSession: string | null = null;
  private armed: { sessionDate: string; at: number } | null = null;
  private inFlight: Promise<void> | null = null;
  private pending: string | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly calendar: SessionCalendar,
    private readonly task: SessionTask,
  ) {
    if (!Number.isFinite(task.moment.offsetMs)) throw new RangeError(`session moment offset must be finite ms, got ${task.moment.offsetMs}`);
  }

  /** The session the next run is for and when it fires, or null when stopped. */
  get next(): { sessionDate: string; at: number } | null {
    return this.armed;
  }

  /** True while a serial run is going. */
  get running(): boolean {
    return this.inFlight !== null;
  }

  get started(): boolean {
    return this.cancel !== null;
  }

  start(): void {
    if (this.cancel) return;
    this.arm();
  }

  /** Cancels the timer and any waiting session; a run in progress finishes. */
  stop(): void {
    this.cancel?.();
    this.cancel = null;
    this.armed = null;
    this.pending = null;
  }

  /** Arms again from now (the calendar changed); sessions that already ran stay done. */
  rearm(): void {
    if (!this.cancel) return;
    this.cancel();
    this.cancel = null;
    this.arm();
  }

  /** Resolves when no run is in progress or waiting. */
  async idle(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  /**
   * Runs today's session now when its moment has passed, the session has not closed and it has not run
   * yet (an engine started at 10:00 still gets its 09:15 run). Returns the session run, or null.
   */
  catchUp(): string | null {
    const now = this.clock.now();
    const date = nyDateKey(now);
    const s = this.calendar.session(date);
    if (!s) return null;
    const at = s[this.task.moment.anchor] + this.task.moment.offsetMs;
    if (now < at || now >= s.close) return null;
    if (this.lastSession !== null && this.lastSession >= date) return null;
    this.lastSession = date;
    this.rearm();
    this.launch(date);
    return date;
  }

  private arm(): void {
    const now = this.clock.now();
    // The first session whose moment is still ahead and that has not run yet.
    let date = nyDateKey(now);
    for (let i = 0; i < HORIZON_DAYS; i++) {
      const at = sessionMomentOf(this.calendar, date, this.task.moment);
      if (at !== null && at > now && (this.lastSession === null || date > this.lastSession)) {
        const next = { sessionDate: date, at };
        this.armed = next;
        this.cancel = this.clock.at(at, () => this.fire(next.sessionDate));
        return;
      }
      date = addDays(date, 1);
    }
    throw new Error(`no trading session within ${HORIZON_DAYS} days of ${nyDateKey(now)}`);
  }

  private fire(sessionDate: string): void {
    this.lastSession = sessionDate;
    this.arm();
    if (this.task.serial && this.inFlight) {
      if (this.pending) this.task.onError?.(this.pending, new Error(`superseded by ${sessionDate} while an earlier run was still going`));
      this.pending = sessionDate;
      return;
    }
    this.launch(sessionDate);
  }

  private launch(sessionDate: string): void {
    if (!this.task.serial) {
      try {
        const result = this.task.run(sessionDate);
        if (result) result.catch((error: unknown) => this.task.onError?.(sessionDate, error));
      } catch (error) {
        this.task.onError?.(sessionDate, error);
      }
      return;
    }
    this.inFlight = (async () => {
      try {
        await this.task.run(sessionDate);
      } catch (error) {
        this.task.onError?.(sessionDate, error);
      }
    })().finally(() => {
      this.inFlight = null;
      const next = this.pending;
      this.pending = null;
      if (next && this.cancel) this.launch(next);
    });
  }
}

/** The engine's session schedule: every job on one clock and calendar, re-armed together when the calendar changes. */
export class SessionScheduler {
  private readonly jobs: SessionJob[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly calendar: SessionCalendar,
  ) {}

  /** A job on this schedule (not started). */
  job(task: SessionTask): SessionJob {
    const job = new SessionJob(this.clock, this.calendar, task);
    this.jobs.push(job);
    return job;
  }

  /** Adds a job made elsewhere (on the same clock and calendar) so it follows calendar changes too. */
  adopt<J extends SessionJob>(job: J): J {
    this.jobs.push(job);
    return job;
  }

  /** The calendar learned a closure or an early close: every started job arms for its new moment. */
  calendarChanged(): void {
    for (const job of this.jobs) job.rearm();
  }

  stopAll(): void {
    for (const job of this.jobs) job.stop();
  }
}
