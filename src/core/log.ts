// Each module logs under its own namespace: DEBUG=jiaoyan:* or --debug.
import createDebug from 'debug';

export function logger(namespace: string): createDebug.Debugger {
  return createDebug(`jiaoyan:${namespace}`);
}

export function enableDebug(): void {
  createDebug.enable('jiaoyan:*');
}
