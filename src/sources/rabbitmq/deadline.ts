/**
 * Settles with `promise`, or rejects with `onTimeout()` after `timeoutMs` or with `onAbort()` when `signal`
 * aborts, whichever comes first. The underlying work is not cancelled (an AMQP RPC cannot be), but its late
 * outcome is swallowed so it can never surface as an unhandled rejection.
 */
export function withDeadline<T>(
  promise: Promise<T>,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  onTimeout: () => Error,
  onAbort: () => Error = onTimeout,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) {
      promise.catch(() => undefined);
      reject(onAbort());
      return;
    }
    const cleanup = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', aborted);
    };
    const aborted = (): void => {
      cleanup();
      reject(onAbort());
    };
    const timer = setTimeout(
      () => {
        cleanup();
        reject(onTimeout());
      },
      Math.max(0, timeoutMs),
    );
    signal?.addEventListener('abort', aborted, { once: true });
    promise.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (error: unknown) => {
        cleanup();
        reject(error);
      },
    );
  });
}
