// The current snapshot of a store, re-rendering on every change (for the dashboards' root components).
import { useCallback, useSyncExternalStore } from 'react';
import type { SnapshotSource } from './snapshot-store.js';

export function useSnapshot<T>(store: SnapshotSource<T>): T | undefined {
  const subscribe = useCallback((listener: () => void) => store.subscribe(listener), [store]);
  const getSnapshot = useCallback(() => store.getSnapshot(), [store]);
  return useSyncExternalStore(subscribe, getSnapshot);
}
