import { defaultSettings } from '../../../bench/benchmarks.js';
import type { RunEnvironment } from '../../../bench/machine.js';
import type { SavedResult } from '../../../bench/report.js';

/** The machine a saved test result claims to come from. */
export const testEnvironment: RunEnvironment = {
  date: '2026-11-24T10:00:00Z',
  cpuModel: 'Test CPU',
  cores: 2,
  memoryGiB: 8,
  os: 'Linux test',
  node: 'v20.20.2',
  packages: { tether: '0.1.0' },
  commit: 'abc1234',
  loadAverage: [0.1, 0.2, 0.3],
};

/** A saved benchmark result as bench/run.ts writes it, around `result`. */
export function saved<K extends SavedResult['id']>(id: K, result: SavedResult<K>['result']): SavedResult<K> {
  return {
    id,
    command: `npx tsx bench/run.ts --only ${id}`,
    settings: defaultSettings('small'),
    environment: testEnvironment,
    loadAtEnd: [0.5, 0.4, 0.3],
    wallSeconds: 12,
    result,
  };
}
