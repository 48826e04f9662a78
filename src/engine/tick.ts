/**
 * Yields to the event loop so that a long computation lets messages (cancel,
 * new jobs) and rendering through. MessageChannel avoids setTimeout's 4 ms
 * clamp in browsers and workers; Node has setImmediate.
 */
type Resolve = () => void;

const queue: Resolve[] = [];
let channel: MessageChannel | null = null;

export function nextTick(): Promise<void> {
  const scope = globalThis as unknown as {
    setImmediate?: (fn: () => void) => void;
  };
  if (typeof scope.setImmediate === 'function') {
    return new Promise(resolve => scope.setImmediate?.(resolve));
  }
  if (typeof MessageChannel === 'function') {
    if (!channel) {
      channel = new MessageChannel();
      channel.port1.onmessage = () => queue.shift()?.();
    }
    const port = channel.port2;
    return new Promise(resolve => {
      queue.push(resolve);
      port.postMessage(null);
    });
  }
  return new Promise(resolve => setTimeout(resolve, 0));
}
