// Start/stop lifecycle shared by every engine component, with the degraded and faulted states a
// trader must see: a component that fails to start is faulted, not silently absent.
import type { ComponentState, ComponentStatus } from '../../shared/domain';

export interface Component {
  readonly name: string;
  status(): ComponentStatus;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export type StatusListener = (status: ComponentStatus) => void;

export abstract class BaseComponent implements Component {
  private state: ComponentState = 'stopped';
  private detail = '';

  constructor(
    readonly name: string,
    private readonly onStatus: StatusListener,
  ) {}

  status(): ComponentStatus {
    return { name: this.name, state: this.state, detail: this.detail };
  }

  async start(): Promise<void> {
    if (this.state === 'running' || this.state === 'degraded' || this.state === 'starting') return;
    this.set('starting', '');
    try {
      await this.onStart();
      if ((this.state as ComponentState) === 'starting') this.set('running', '');
    } catch (error) {
      this.set('faulted', error instanceof Error ? error.message : String(error));
      throw error;
    }
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    this.set('stopping', '');
    try {
      await this.onStop();
      this.set('stopped', '');
    } catch (error) {
      this.set('faulted', `stop failed: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
  }

  /** Still working, with a reason the trader should see (e.g. a feed gone stale). */
  protected degrade(detail: string): void {
    if (this.state === 'running' || this.state === 'degraded') this.set('degraded', detail);
  }

  protected recover(): void {
    if (this.state === 'degraded') this.set('running', '');
  }

  protected fault(detail: string): void {
    this.set('faulted', detail);
  }

  protected get isActive(): boolean {
    return this.state === 'running' || this.state === 'degraded';
  }

  protected abstract onStart(): Promise<void> | void;
  protected abstract onStop(): Promise<void> | void;

  private set(state: ComponentState, detail: string): void {
    if (state === this.state && detail === this.detail) return;
    this.state = state;
    this.detail = detail;
    this.onStatus(this.status());
  }
}
