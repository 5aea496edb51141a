// The boundary every transport (Electron IPC, the headless socket, the CLI) goes through:
// it checks the channel against the contract, validates the payload with its zod schema, runs the
// handler and turns every failure into a `{ ok: false, error: { code, message } }` value.
import {
  describeZodError,
  fail,
  isRequestChannel,
  ok,
  requests,
  type ParsedRequestOf,
  type RequestChannel,
  type ResponseOf,
  type Result,
} from '../../shared/contract';

/** A handler may return plain data or a Result (for expected refusals). */
export type Handler<C extends RequestChannel> = (
  payload: ParsedRequestOf<C>,
) => ResponseOf<C> | Result<ResponseOf<C>> | Promise<ResponseOf<C> | Result<ResponseOf<C>>>;

export type HandlerMap = { [C in RequestChannel]: Handler<C> };

export type Dispatch = (channel: string, payload: unknown) => Promise<Result<unknown>>;

/** Thrown by a handler for an expected, explained refusal; crosses the boundary as its code. */
export class RefusalError extends Error {
  constructor(
    readonly code: 'REFUSED' | 'NOT_AVAILABLE' | 'BAD_REQUEST',
    message: string,
  ) {
    super(message);
    this.name = 'RefusalError';
  }
}

function isResult(value: unknown): value is Result<unknown> {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  const v = value as { ok: unknown };
  return (v.ok === true && 'data' in value) || (v.ok === false && 'error' in value);
}

export function createDispatcher(
  handlers: HandlerMap,
  onInternalError: (channel: string, error: unknown) => void = () => {},
): Dispatch {
  return async (channel, payload) => {
    if (!isRequestChannel(channel)) {
      return fail('UNKNOWN_CHANNEL', `unknown channel ${JSON.stringify(String(channel)).slice(0, 120)}`);
    }
    const parsed = requests[channel].request.safeParse(payload ?? {});
    if (!parsed.success) {
      return fail('BAD_REQUEST', `${channel}: ${describeZodError(parsed.error)}`);
    }
    try {
      const handler = handlers[channel] as Handler<typeof channel>;
      const out = await handler(parsed.data as never);
      return isResult(out) ? out : ok(out);
    } catch (error) {
      if (error instanceof RefusalError) return fail(error.code, error.message);
      onInternalError(channel, error);
      return fail('INTERNAL', `${channel} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
}
