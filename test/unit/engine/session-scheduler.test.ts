// The one session scheduler: a moment anchored on each session's open or close, on the simulated
// clock, through early closes, DST changes, holidays and calendar changes.
import { describe, expect, it } from 'vitest';
import { NyseCalendar, nyClock } from '../../../src/main/calendar/nyse';
import { SimulatedClock } from '../../../src/main/engine/clock';
import { SessionScheduler, todaysMoment } from '../../../src/main/engine/session-scheduler';

const MINUTE = 60_000;
const flattenAt5 = { anchor: 'close', offsetMs: -5 * MINUTE } as const;

describe('SessionScheduler', () => {
  it('when a session closes at 13:00 (day after Thanksgiving) then the flatten moment is 12:55, and 15:55 again on the next normal day', () => {
    const calendar = new NyseCalendar();
    const clock = new SimulatedClock(calendar.session('2024-11-29')!.open);
    const fired: string[] = [];
    const job = new SessionScheduler(clock, calendar).job({ moment: flattenAt5, run: () => void fired.push(nyClock(clock.now())) });
    job.start();
    clock.advanceTo(calendar.session('2024-12-02')!.close);
    expect(fired).toEqual(['2024-11-29 12:55', '2024-12-02 15:55']);
  });

  it('when clocks change (DST ends 2024-11-03, starts 2025-03-09) then the moment stays 09:15 New York, an hour apart in UTC', () => {
    const calendar = new NyseCalendar();
    const clock = new SimulatedClock(calendar.session('2024-11-01')!.preOpen);
    const fired: Array<{ ny: string; utcHour: number }> = [];
    const scheduler = new SessionScheduler(clock, calendar);
    const job = scheduler.job({ moment: { anchor: 'open', offsetMs: -15 * MINUTE }, run: () => void fired.push({ ny: nyClock(clock.now()), utcHour: new Date(clock.now()).getUTCHours() }) });
    job.start();
    clock.advanceTo(calendar.session('2024-11-04')!.open);
    expect(fired).toEqual([
      { ny: '2024-11-01 09:15', utcHour: 13 },
      { ny: '2024-11-04 09:15', utcHour: 14 },
    ]);
    job.stop();
    const spring = new SimulatedClock(calendar.session('2025-03-07')!.preOpen);
    const springFired: number[] = [];
    const springJob = new SessionScheduler(spring, calendar).job({ moment: { anchor: 'open', offsetMs: -15 * MINUTE }, run: () => void springFired.push(new Date(spring.now()).getUTCHours()) });
    springJob.start();
    spring.advanceTo(calendar.session('2025-03-10')!.open);
    expect(springFired).toEqual([14, 13]);
  });

  it('when a holiday or weekend comes then no run happens that day (MLK day 2025-01-20)', () => {
    const calendar = new NyseCalendar();
    const clock = new SimulatedClock(calendar.session('2025-01-17')!.open);
    const sessions: string[] = [];
    const job = new SessionScheduler(clock, calendar).job({ moment: { anchor: 'close', offsetMs: 30 * MINUTE }, run: (d) => void sessions.push(d) });
    job.start();
    clock.advanceTo(calendar.session('2025-01-22')!.open);
    expect(sessions).toEqual(['2025-01-17', '2025-01-21']);
  });

  it('when the calendar learns an early close then calendarChanged moves the armed moment, and a session that already ran does not run again', () => {
    const calendar = new NyseCalendar();
    const day = '2025-03-05';
    const clock = new SimulatedClock(calendar.session(day)!.open);
    const fired: string[] = [];
    const scheduler = new SessionScheduler(clock, calendar);
    const job = scheduler.job({ moment: flattenAt5, run: () => void fired.push(nyClock(clock.now())) });
    job.start();
    expect(nyClock(job.next!.at)).toBe(`${day} 15:55`);
    calendar.addOverride({ date: day, kind: 'early-close', reason: 'test' });
    scheduler.calendarChanged();
    expect(nyClock(job.next!.at)).toBe(`${day} 12:55`);
    clock.advanceTo(calendar.session(day)!.close);
    scheduler.calendarChanged();
    expect(job.next!.sessionDate).toBe('2025-03-06');
    clock.advanceTo(calendar.session('2025-03-06')!.open);
    expect(fired).toEqual([`${day} 12:55`]);
  });

  it("todaysMoment gives today's moment on a session day and null on a closed day", () => {
    const calendar = new NyseCalendar();
    expect(nyClock(todaysMoment(calendar, calendar.session('2024-11-29')!.open, flattenAt5)!)).toBe('2024-11-29 12:55');
    expect(todaysMoment(calendar, Date.UTC(2024, 10, 28, 16), flattenAt5)).toBeNull();
  });

  it('when a serial run is still going as the next session comes due then that session waits and runs after it', async () => {
    const calendar = new NyseCalendar();
    const clock = new SimulatedClock(calendar.session('2025-03-03')!.open);
    let release: () => void = () => {};
    const runs: string[] = [];
    const job = new SessionScheduler(clock, calendar).job({
      moment: { anchor: 'close', offsetMs: 30 * MINUTE },
      serial: true,
      run: (d) => {
        runs.push(d);
        return runs.length === 1 ? new Promise<void>((r) => (release = r)) : Promise.resolve();
      },
    });
    job.start();
    clock.advanceTo(calendar.session('2025-03-04')!.close + 31 * MINUTE);
    expect(runs).toEqual(['2025-03-03']);
    expect(job.running).toBe(true);
    release();
    await job.idle();
    expect(runs).toEqual(['2025-03-03', '2025-03-04']);
  });
});
